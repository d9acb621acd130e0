# ActorStore node image: one node process per host (DESIGN §1). Build: docker build -t actorstore .
# Run with the host's disks mounted and the ports published, e.g.
#   docker run -d --name actorstore --network host --privileged \
#     -v /var/lib/actorstore:/var/lib/actorstore actorstore --data-dir /var/lib/actorstore

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so that the layer is reused while only code changes.
COPY Directory.Build.props Directory.Packages.props ActorStore.sln ./
COPY src/Blocks/ActorStore.Blocks.csproj src/Blocks/
COPY src/Volume/ActorStore.Volume.csproj src/Volume/
COPY src/Cluster/ActorStore.Cluster.csproj src/Cluster/
COPY src/Cli/ActorStore.Cli.csproj src/Cli/
RUN dotnet restore src/Cluster/ActorStore.Cluster.csproj && dotnet restore src/Cli/ActorStore.Cli.csproj
COPY hocon/ hocon/
COPY src/ src/
RUN dotnet publish src/Cluster/ActorStore.Cluster.csproj -c Release --no-restore -o /out/node \
 && dotnet publish src/Cli/ActorStore.Cli.csproj -c Release --no-restore -o /out/pbm

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# Block storage needs the disks' file systems to support hole punching, FIEMAP and O_DIRECT (ext4, xfs);
# e2fsprogs and util-linux are what an operator reaches for when preparing one.
RUN apt-get update && apt-get install -y --no-install-recommends e2fsprogs util-linux \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/actorstore
COPY --from=build /out/node ./
COPY --from=build /out/pbm ./pbm/
RUN ln -s /opt/actorstore/pbm/pbm /usr/local/bin/pbm
# 4053 Akka.Remote (cluster), 9500 REST gateway, 10809 NBD (bound to 127.0.0.1 unless configured).
EXPOSE 4053 9500 10809
VOLUME ["/var/lib/actorstore"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/actorstore/actorstore-node"]
CMD ["--data-dir", "/var/lib/actorstore"]
