FROM alpine
LABEL description="café ☕ über"
RUN echo '日本語'
