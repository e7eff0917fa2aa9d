/* QEMU integratorcp board: host-physical addresses of the devices (brief §4). */
#ifndef ARMVMM_INTEGRATORCP_H
#define ARMVMM_INTEGRATORCP_H

#define INTEGRATOR_CM_BASE       0x10000000   /* core module registers */
#define INTEGRATOR_TIMER0_BASE   0x13000000
#define INTEGRATOR_PIC_BASE      0x14000000   /* primary interrupt controller */
#define INTEGRATOR_RTC_BASE      0x15000000
#define INTEGRATOR_UART0_BASE    0x16000000
#define INTEGRATOR_UART1_BASE    0x17000000

#endif
