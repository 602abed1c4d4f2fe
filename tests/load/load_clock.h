/*  load_clock: what the load programs share: a monotonic clock in seconds
    and a xorshift64 generator (fast, reproducible from its seed; not for
    anything but test data). */
#ifndef LOAD_CLOCK_H
#define LOAD_CLOCK_H

#include <stdint.h>
#include <time.h>

//  Seconds on the monotonic clock.
static inline double
load_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

//  The next number of the generator whose state is *state (not 0).
static inline uint64_t
load_random (uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

#endif
