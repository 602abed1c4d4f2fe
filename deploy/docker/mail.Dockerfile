# The demo's mail sink on kw-base: deploy/local/smtp_sink.py (Python's
# standard library, installed here, never at start) storing the messages
# (messages.mbox) and their journal in /var/mail/kw, a volume. Listens on
# 2525 as an unprivileged user.
ARG BASE=kw-base:bookworm
FROM ${BASE}
COPY deploy/docker/nodoc.cfg /etc/dpkg/dpkg.cfg.d/90kw-nodoc
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* \
    && groupadd --system --gid 10002 kwmail \
    && useradd --system --uid 10002 --gid kwmail --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin kwmail \
    && install -d -o kwmail -g kwmail -m 0750 /var/mail/kw
COPY deploy/local/smtp_sink.py /usr/local/bin/kw-smtp-sink
USER 10002:10002
EXPOSE 2525
CMD ["python3", "/usr/local/bin/kw-smtp-sink", "--host", "0.0.0.0", "--port", "2525", "--dir", "/var/mail/kw"]
HEALTHCHECK --interval=5s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import smtplib; smtplib.SMTP('127.0.0.1', 2525, timeout=3).quit()"]
