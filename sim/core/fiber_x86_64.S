/* SPDX-License-Identifier: MIT */
/*
 * Fiber context switch for x86-64 System V: save the callee-saved registers,
 * MXCSR and the x87 control word on the current stack, store the stack
 * pointer, load the other one and restore.  No syscall, no signal mask.
 */
#if defined(__x86_64__)
	.text
	.globl	sim_ctx_switch
	.type	sim_ctx_switch, @function
/* void sim_ctx_switch(void **save_sp, void *load_sp) */
sim_ctx_switch:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	sim_ctx_switch, .-sim_ctx_switch

	.globl	sim_ctx_start
	.type	sim_ctx_start, @function
/* First frame of every fiber: entry(arg) from r13(r12); entry never returns. */
sim_ctx_start:
	.cfi_startproc
	.cfi_undefined rip
	movq	%r12, %rdi
	callq	*%r13
	ud2
	.cfi_endproc
	.size	sim_ctx_start, .-sim_ctx_start
#endif
	.section .note.GNU-stack,"",@progbits
