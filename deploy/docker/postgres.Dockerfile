# PostgreSQL 15 from Debian on kw-base, for docker-compose.yml: the server
# (SCRAM for every network connection, peer for the local superuser), and
# the one-shot steps that bootstrap the database and load the demo data.
# See kw-postgres for the commands.
ARG BASE=kw-base:bookworm
FROM ${BASE}
COPY deploy/docker/nodoc.cfg /etc/dpkg/dpkg.cfg.d/90kw-nodoc
# No cluster from the package: kw-postgres makes its own in the volume.
# The postgres user gets a fixed id (the package keeps an existing user).
RUN groupadd --system --gid 10010 postgres \
    && useradd --system --uid 10010 --gid postgres --home-dir /var/lib/postgresql --no-create-home \
        --shell /bin/sh postgres \
    && mkdir -p /etc/postgresql-common \
    && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
    && apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* \
    && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data \
    && install -d -o postgres -g postgres -m 2775 /var/run/postgresql
COPY deploy/docker/kw-postgres /usr/local/bin/
COPY deploy/db/bootstrap.sql deploy/demo/professionals.sql /usr/share/kw/
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
USER 10010:10010
WORKDIR /var/lib/postgresql
# SIGINT is PostgreSQL's fast shutdown: sessions are ended, not waited for.
STOPSIGNAL SIGINT
ENTRYPOINT ["kw-postgres"]
CMD ["server"]
HEALTHCHECK --interval=5s --timeout=5s --start-period=60s --retries=3 \
    CMD ["pg_isready", "-q", "-h", "/var/run/postgresql"]
