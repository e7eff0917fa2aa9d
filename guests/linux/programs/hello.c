/* The program fork+exec runs (static glibc, as in the paper's fork+exec benchmark). */
#include <stdio.h>

int main(void)
{
    printf("hello\n");
    return 0;
}
