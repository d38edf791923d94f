FROM aishell:base

USER root
RUN apt-get update && apt-get install -y --no-install-recommends \
      openjdk-17-jdk-headless maven gradle \
    && rm -rf /var/lib/apt/lists/*

ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
ENV MAVEN_OPTS="-Xmx2g -Dmaven.repo.local=/home/developer/.m2/repository"

# Warm the Maven cache with the project's plugins.
COPY pom.xml /tmp/warm/pom.xml
RUN cd /tmp/warm && mvn -B -q dependency:go-offline && rm -rf /tmp/warm

HEALTHCHECK NONE
USER developer
