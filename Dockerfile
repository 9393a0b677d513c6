# Gateway image: an SDK build stage and a chiseled ASP.NET Core runtime (no shell, no package manager,
# non-root), after dotnet/dotnet-docker samples/aspnetapp/Dockerfile.chiseled.
#
#   docker build -t gateway .
#   docker run --rm -p 8080:8080 gateway
#
# With no bucket configured the container runs the demo (embedded store, in-process LocalOss under
# /app/data) and prints a ready admin key, curl line and the web console's address (/console/; its
# files are embedded in Gateway.dll). Production configuration comes from the environment:
# Gateway__Buckets__<alias>__Endpoint|Bucket|Region|AddressingStyle, OSS_ACCESS_KEY_ID,
# OSS_ACCESS_KEY_SECRET, ConnectionStrings__Redis, ... (see config/README.md and helm/gateway).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source

# Restore in its own layer from only the files that decide the package graph, so a change to the code
# reuses the cached restore. Every project that src/Gateway references must be listed here.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Gateway/Gateway.csproj src/Gateway/
COPY src/Gateway.Oss/Gateway.Oss.csproj src/Gateway.Oss/
COPY src/LocalOss/LocalOss.csproj src/LocalOss/
RUN dotnet restore src/Gateway

# .editorconfig takes part in the build (code style is enforced, warnings are errors), so the image is
# built under the same rules as CI.
COPY .editorconfig ./
COPY src/ src/
RUN dotnet publish src/Gateway -c Release -o /app --no-restore

# The data directory must exist, owned by the app user, in an image that has no shell to create it.
RUN mkdir /data


FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS final
WORKDIR /app

# Kestrel listens on 8080 (a port a non-root user may bind); the aspnet images default to it too.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Gateway__DataDirectory=/app/data
EXPOSE 8080

COPY --from=build /app ./
# Shipped settings that hold in every environment (log levels that keep full URLs out of the logs).
# /app is the content root, so the gateway reads /app/config/gateway.json; GATEWAY_CONFIG_FILE can
# point it elsewhere.
COPY config/gateway.json config/

# /app/data (Gateway:DataDirectory): the embedded store (Garnet) persists here, used when
# ConnectionStrings__Redis is empty, and the demo keeps its objects here. That store is single-node:
# in production, and always with more than one replica, set ConnectionStrings__Redis (e.g.
# redis:6379,abortConnect=false) instead. To keep embedded data across containers, mount a volume:
# docker run -v gateway-data:/app/data ...
COPY --from=build --chown=$APP_UID:$APP_UID /data /app/data

# Chiseled images run as the non-root "app" user already; say so explicitly (numeric, so Kubernetes
# runAsNonRoot can check it).
USER $APP_UID

# No HEALTHCHECK: the chiseled image has no shell and no curl to run one. Orchestrators probe over
# HTTP instead: Kubernetes liveness GET /healthz, readiness GET /readyz (the link store answers), as
# the Helm chart in helm/gateway does.

ENTRYPOINT ["dotnet", "Gateway.dll"]
