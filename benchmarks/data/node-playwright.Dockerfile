FROM aishell:base

USER root
# Browsers for end-to-end tests; Node.js comes from the foundation.
RUN npx --yes playwright@1.48.2 install --with-deps chromium \
    && rm -rf /var/lib/apt/lists/*

RUN <<EOF
set -eu
corepack enable
corepack prepare pnpm@9.12.3 --activate
npm install -g typescript@5.6.3 tsx@4.19.2
EOF

ENV PLAYWRIGHT_BROWSERS_PATH=/ms-playwright \
    PNPM_HOME=/home/developer/.local/share/pnpm
USER developer
