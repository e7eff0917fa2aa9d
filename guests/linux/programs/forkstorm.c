/* Fork storm: 200 children, up to 50 alive at once, each exiting with its own status; every one
 * must be reaped exactly once with the status it chose, and then no child may be left. */
#include "check.h"
#include <sys/wait.h>
#include <unistd.h>

#define TOTAL 200
#define ALIVE 50

static pid_t pids[TOTAL];
static int reaped[TOTAL];

static void reap_one(void)
{
    int st;
    pid_t pid = wait(&st);
    if (pid < 0)
        fail("wait: %s", strerror(errno));
    for (int i = 0; i < TOTAL; i++)
        if (pids[i] == pid) {
            if (reaped[i]++)
                fail("pid %d reaped twice", (int)pid);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != (i * 37 + 1) % 256)
                fail("child %d: status 0x%x, expected exit %d", i, st, (i * 37 + 1) % 256);
            return;
        }
    fail("wait returned unknown pid %d", (int)pid);
}

int main(void)
{
    int alive = 0;

    test_name = "forkstorm";
    for (int i = 0; i < TOTAL; i++) {
        if (alive == ALIVE) {
            reap_one();
            alive--;
        }
        pid_t pid = fork();
        if (pid < 0)
            fail("fork %d: %s", i, strerror(errno));
        if (pid == 0) {
            if (i % 3 == 0)
                usleep(1000);   /* some children outlive later forks */
            _exit((i * 37 + 1) % 256);
        }
        pids[i] = pid;
        alive++;
    }
    while (alive--)
        reap_one();
    for (int i = 0; i < TOTAL; i++)
        if (reaped[i] != 1)
            fail("child %d reaped %d times", i, reaped[i]);
    if (wait(NULL) != -1 || errno != ECHILD)
        fail("a child is left after all were reaped");
    printf("forkstorm: %d children forked and reaped\n", TOTAL);
    pass();
}
