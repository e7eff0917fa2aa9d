/* Copy-on-write: after fork() parent and child share a private anonymous page read-only.
 *  1. the child writes it from user mode, then the parent: each must keep seeing its own value;
 *  2. the kernel writes into a still-shared COW page on behalf of the process (read() from a
 *     pipe and from a file copies with STRT/copy_to_user): only that process may see the data. */
#include "check.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static void xwrite(int fd, const void *p, size_t n)
{
    if (write(fd, p, n) != (ssize_t)n)
        fail("write: %s", strerror(errno));
}

static void xread(int fd, void *p, size_t n)
{
    if (read(fd, p, n) != (ssize_t)n)
        fail("read: %s", strerror(errno));
}

static volatile unsigned char *new_page(unsigned char fill)
{
    unsigned char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
    if (p == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    memset(p, fill, PAGE);   /* populated before fork: the page itself becomes COW-shared */
    return p;
}

static int all_equal(volatile unsigned char *p, size_t off, size_t n, unsigned char v)
{
    for (size_t i = off; i < off + n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

static void wait_child(pid_t pid, const char *what)
{
    int st;
    if (waitpid(pid, &st, 0) != pid)
        fail("%s: waitpid: %s", what, strerror(errno));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("%s: child failed (status 0x%x)", what, st);
}

/* Part 1: user-mode writes on both sides, in a fixed order. */
static void user_writes(void)
{
    volatile unsigned char *p = new_page(0x11);
    int c2p[2], p2c[2];
    char tok = 'x';

    if (pipe(c2p) || pipe(p2c))
        fail("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    if (pid == 0) {
        if (!all_equal(p, 0, PAGE, 0x11)) { printf("child: bad initial page\n"); _exit(1); }
        p[100] = 0xcc;                          /* child first: COW fault in the child */
        xwrite(c2p[1], &tok, 1);
        xread(p2c[0], &tok, 1);                 /* parent has written by now */
        if (p[100] != 0xcc || p[200] != 0x11) { printf("child: sees parent's write\n"); _exit(1); }
        _exit(0);
    }
    xread(c2p[0], &tok, 1);
    if (p[100] != 0x11)
        fail("parent sees the child's write (0x%02x)", p[100]);
    p[200] = 0x99;                              /* parent writes the same page */
    p[100] = 0x55;
    xwrite(p2c[1], &tok, 1);
    wait_child(pid, "user-write child");
    if (p[100] != 0x55 || p[200] != 0x99)
        fail("parent lost its own write");
    close(c2p[0]); close(c2p[1]); close(p2c[0]); close(p2c[1]);
}

/* Part 2: the kernel writes into a COW-shared page through read(). */
static void kernel_writes(int use_file)
{
    volatile unsigned char *p = new_page(0x22);
    unsigned char data[512];
    int src[2], c2p[2];
    char tok = 'y';

    for (int i = 0; i < (int)sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    if (pipe(c2p))
        fail("pipe: %s", strerror(errno));
    if (use_file) {
        int fd = open("/tmp/cow-test.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            fail("open /tmp/cow-test.dat: %s", strerror(errno));
        xwrite(fd, data, sizeof data);
        if (lseek(fd, 0, SEEK_SET) != 0)
            fail("lseek: %s", strerror(errno));
        src[0] = fd;
        src[1] = -1;
    } else {
        if (pipe(src))
            fail("pipe: %s", strerror(errno));
        xwrite(src[1], data, sizeof data);
    }
    pid_t pid = fork();
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    if (pid == 0) {
        /* The kernel's copy_to_user hits the read-only shared page: it must COW for the child. */
        ssize_t n = read(src[0], (void *)(p + 1000), sizeof data);
        if (n != (ssize_t)sizeof data) { printf("child: read returned %d\n", (int)n); _exit(1); }
        if (memcmp((void *)(p + 1000), data, sizeof data)) { printf("child: wrong data\n"); _exit(1); }
        if (!all_equal(p, 0, 1000, 0x22) || !all_equal(p, 1000 + sizeof data,
                                                        PAGE - 1000 - sizeof data, 0x22)) {
            printf("child: rest of the page damaged\n");
            _exit(1);
        }
        xwrite(c2p[1], &tok, 1);
        _exit(0);
    }
    xread(c2p[0], &tok, 1);
    wait_child(pid, use_file ? "file-read child" : "pipe-read child");
    if (!all_equal(p, 0, PAGE, 0x22))
        fail("parent sees the kernel's write done for the child (%s)", use_file ? "file" : "pipe");
    /* And the other way round: the kernel writes the parent's copy, now private again. */
    if (use_file && lseek(src[0], 0, SEEK_SET) != 0)
        fail("lseek: %s", strerror(errno));
    if (!use_file)
        xwrite(src[1], data, sizeof data);
    if (read(src[0], (void *)(p + 2000), sizeof data) != (ssize_t)sizeof data)
        fail("parent read: %s", strerror(errno));
    if (memcmp((void *)(p + 2000), data, sizeof data))
        fail("parent read wrong data");
    close(src[0]);
    if (src[1] >= 0)
        close(src[1]);
    close(c2p[0]);
    close(c2p[1]);
    if (use_file)
        unlink("/tmp/cow-test.dat");
}

int main(void)
{
    test_name = "cow";
    user_writes();
    kernel_writes(0);
    kernel_writes(1);
    pass();
}
