# syntax=docker/dockerfile:1
# Builds target/divergent.jar and runs it on a JRE. Used by docker-compose.yml.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY schemas ./schemas
COPY src ./src
# The cache mount keeps the Maven repository between builds (BuildKit).
RUN --mount=type=cache,target=/root/.m2 mvn -B -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app divergent \
    && mkdir -p /app/config \
    && printf '%s\n' \
       '# Empty on purpose: in containers Divergent is configured through DIVERGENT_*' \
       '# and KAFKA_* environment variables (see docs/docker.md). Mount a file here' \
       '# to configure it with properties instead.' \
       > /app/config/divergent.properties
WORKDIR /app
COPY --from=build /src/target/divergent.jar /app/divergent.jar
USER divergent
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/divergent.jar"]
CMD ["run", "--config", "/app/config/divergent.properties"]
