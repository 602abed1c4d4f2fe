/*  smtp: the e-mail channel (channel.h) over SMTP with libcurl's multi
    interface driven by the service's libuv loop, so sending never blocks
    the loop: up to KW_SMTP_IN_FLIGHT messages at once (at most
    SMTP_IN_FLIGHT_MAX), each on its connection, connections kept and
    reused between messages, STARTTLS required when asked for. The message
    is composed by message.c (stable Message-ID from the delivery id). */
#ifndef NOTIFICATION_SMTP_H
#define NOTIFICATION_SMTP_H

#include <uv.h>
#include "channel.h"

#define SMTP_IN_FLIGHT_MAX 64

//  url: smtp:// or smtps://; from: the envelope and header sender;
//  starttls: 1 to require STARTTLS on an smtp:// server; ca_file: the CA
//  certificates (PEM) the server's is checked against, "" for the
//  system's; in_flight: messages at once, "1" to SMTP_IN_FLIGHT_MAX.
//  NULL with the reason in err.
channel_t *smtp_new (uv_loop_t *loop, const char *url, const char *from, int starttls, const char *ca_file,
                     const char *in_flight, char *err, size_t err_size);

#endif
