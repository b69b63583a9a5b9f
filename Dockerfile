# closepath in a Debian 12 image: builds the project and runs the catalogue.
# No image registry is reachable on the project's machines: tools/docker-local.sh
# makes a local debian:bookworm base with debootstrap and `docker import`.
ARG BASE=debian:bookworm
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config libboost1.81-dev libboost-test1.81-dev libpcap-dev zlib1g-dev libyaml-dev \
      nlohmann-json3-dev libcli11-dev libssl-dev libnl-route-3-dev iproute2 nftables tshark python3-pytest python3-pytest-xdist util-linux curl \
      golang-go \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rm -rf build out && cmake --preset default && cmake --build build -j"$(nproc)"
ENTRYPOINT ["/src/build/closepath"]
CMD ["run", "--all", "--out", "/out"]
