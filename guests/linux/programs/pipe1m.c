/* Pipe transfer: the parent sends 1 MiB of pseudo-random bytes in odd-sized chunks, the child
 * reads it in other sizes, checks every byte and returns a checksum over a second pipe. */
#include "check.h"
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOTAL (1024 * 1024)

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 24;
}

static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n)
{
    while (n--)
        h = (h ^ *p++) * 16777619u;
    return h;
}

int main(void)
{
    static unsigned char buf[7919];
    int data[2], back[2];

    test_name = "pipe1m";
    if (pipe(data) || pipe(back))
        fail("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    if (pid == 0) {
        uint32_t seed = 12345, sum = 2166136261u;
        size_t got = 0, want = 1;
        close(data[1]);
        while (got < TOTAL) {
            size_t ask = (want % 4093) + 1;
            want = want * 3 + 1;
            ssize_t n = read(data[0], buf, ask);
            if (n <= 0) { printf("child: read returned %d after %u bytes\n", (int)n, (unsigned)got); _exit(1); }
            for (ssize_t i = 0; i < n; i++)
                if (buf[i] != (unsigned char)lcg(&seed)) {
                    printf("child: byte %u differs\n", (unsigned)(got + i));
                    _exit(2);
                }
            sum = fnv(sum, buf, n);
            got += n;
        }
        if (read(data[0], buf, 1) != 0) { printf("child: extra data\n"); _exit(3); }
        if (write(back[1], &sum, sizeof sum) != sizeof sum)
            _exit(4);
        _exit(0);
    }
    close(data[0]);
    uint32_t seed = 12345, sum = 2166136261u;
    size_t sent = 0, chunk = 1;
    while (sent < TOTAL) {
        size_t n = chunk % sizeof buf + 1;
        chunk = chunk * 5 + 3;
        if (n > TOTAL - sent)
            n = TOTAL - sent;
        for (size_t i = 0; i < n; i++)
            buf[i] = (unsigned char)lcg(&seed);
        sum = fnv(sum, buf, n);
        for (size_t off = 0; off < n;) {
            ssize_t w = write(data[1], buf + off, n - off);
            if (w <= 0)
                fail("write: %s", strerror(errno));
            off += w;
        }
        sent += n;
    }
    close(data[1]);
    uint32_t childsum = 0;
    if (read(back[0], &childsum, sizeof childsum) != sizeof childsum)
        fail("no checksum from the child");
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("child failed (status 0x%x)", st);
    if (childsum != sum)
        fail("checksum 0x%08x != sent 0x%08x", childsum, sum);
    printf("pipe1m: %u bytes, fnv1a 0x%08x\n", TOTAL, sum);
    pass();
}
