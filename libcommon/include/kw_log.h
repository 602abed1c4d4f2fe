/*  kw_log: JSON-lines logging to stderr, one object per line.
    Fields: time, level, service, event, then caller-supplied key/value pairs.
    Never pass personal data (names, NHS numbers, addresses, contacts). */
#ifndef KW_LOG_H
#define KW_LOG_H

#include <stdarg.h>

typedef enum { KW_LOG_DEBUG, KW_LOG_INFO, KW_LOG_WARN, KW_LOG_ERROR } kw_log_level_t;

//  Set the service name stamped on every line and the minimum level.
void kw_log_init (const char *service, kw_log_level_t min_level);

//  Parse "debug", "info", "warn" or "error"; returns -1 when unknown.
int kw_log_level_parse (const char *name, kw_log_level_t *level);

//  Log one event. The variadic part is NULL-terminated pairs of
//  (const char *key, const char *value); a NULL value is skipped.
void kw_log (kw_log_level_t level, const char *event, ...);
void kw_logv (kw_log_level_t level, const char *event, va_list ap);

#define kw_info(...)  kw_log (KW_LOG_INFO, __VA_ARGS__, (const char *) NULL)
#define kw_warn(...)  kw_log (KW_LOG_WARN, __VA_ARGS__, (const char *) NULL)
#define kw_error(...) kw_log (KW_LOG_ERROR, __VA_ARGS__, (const char *) NULL)
#define kw_debug(...) kw_log (KW_LOG_DEBUG, __VA_ARGS__, (const char *) NULL)

#endif
