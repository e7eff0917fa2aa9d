/* Guest start-up: stack, .bss, main(), then the semihosting exit with main's return value. */
    .section .text.start, "ax"
    .arm
    .global _start
_start:
    ldr     sp, =__stack_top
    ldr     r0, =__bss_start
    ldr     r1, =__bss_end
    mov     r2, #0
1:  cmp     r0, r1
    strlo   r2, [r0], #4
    blo     1b
    bl      main
    bl      guest_exit
2:  b       2b
