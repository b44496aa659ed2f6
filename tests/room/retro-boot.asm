; The room test's "operating system": a BIOS boot sector that stands in for Windows XP on a retro PC.
; iPXE's sanboot loads it from the PC's iSCSI LUN and runs it with the LUN as BIOS drive DL.
;
;  1. reads a boot counter from LBA 1 through int 13h, adds one, writes it back;
;  2. writes WRITE_SECTORS more sectors (from LBA 2048) so the COW's usage moves;
;  3. prints "RETRO BOOT COUNT <n> IMAGE <v>" on COM1 (v: the byte at offset 0x1fd, patched per master version);
;  4. waits about 3 s for a command on COM1 (with interrupts off, so the BIOS serial console does
;     not take the byte first):
;       H  hold: stay up (the iSCSI session stays open) until Q or P arrives
;       P  power cut: isa-debug-exit ends QEMU at once (the session is left open, as a real power cut)
;       Q  or nothing: shut down cleanly: int 18h hands control back to iPXE, which (keep-san off)
;          closes the session, the way Windows logs out when it shuts down.
; Any int 13h failure prints "RETRO DISK ERROR <ah>" and powers off.

bits 16
org 0x7c00

COM1          equ 0x3f8
COUNTER_LBA   equ 1
WRITE_LBA     equ 2048
WRITE_SECTORS equ 2048          ; 1 MiB in 32 calls of 64 (iPXE's int 13h takes at most 127 per call)
MAGIC         equ 'RCNT'
BUF           equ 0x8000        ; the counter sector
WBUF          equ 0x1000        ; segment of the 64 KiB written (0x10000-0x1ffff)

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov [drive], dl

    ; 1. the counter: "RCNT" then a 32-bit count; anything else counts as 0
    mov word [dap.lba], COUNTER_LBA
    mov word [dap.count], 1
    mov word [dap.seg], 0
    mov word [dap.off], BUF
    mov ah, 0x42
    call disk
    cmp dword [BUF], MAGIC
    je .known
    mov dword [BUF], MAGIC
    mov dword [BUF + 4], 0
.known:
    inc dword [BUF + 4]
    mov ah, 0x43
    mov al, 0
    call disk

    ; 2. more writes: the sector pattern is the count's low byte
    mov ax, WBUF
    mov es, ax
    xor di, di
    mov al, [BUF + 4]
    mov cx, 0x8000
    rep stosw
    xor ax, ax
    mov es, ax
    mov word [dap.lba], WRITE_LBA
    mov word [dap.seg], WBUF
    mov word [dap.off], 0
    mov bp, WRITE_SECTORS / 64
.more:
    mov word [dap.count], 64
    mov ah, 0x43
    mov al, 0
    call disk
    add word [dap.lba], 64
    dec bp
    jnz .more

    ; 3. the report (interrupts off from here: the COM1 input is ours)
    cli
    mov si, msg_count
    call puts
    mov eax, [BUF + 4]
    call putnum
    mov si, msg_image
    call puts
    mov al, [image_version]
    call putc
    mov si, crlf
    call puts

    ; 4. a command, within about 3 s of the RTC's clock
    mov bl, 4                   ; seconds changes to see: 3 to 4 s
    call rtc_seconds
    mov bh, al
.wait:
    call getc
    jnz .command
    call rtc_seconds
    cmp al, bh
    je .wait
    mov bh, al
    dec bl
    jnz .wait
    jmp shutdown
.command:
    cmp al, 'H'
    je hold
    cmp al, 'P'
    je power_cut
    jmp shutdown

hold:
    mov si, msg_hold
    call puts
.loop:
    call getc
    jz .loop
    cmp al, 'P'
    je power_cut
    cmp al, 'Q'
    je shutdown
    jmp .loop

shutdown:
    mov si, msg_shutdown
    call puts
    sti
    int 0x18                    ; back to iPXE (it hooks int 18h around the boot)
    jmp power_cut

power_cut:
    mov si, msg_power
    call puts
    mov al, 0
    out 0xf4, al                ; QEMU -device isa-debug-exit (iobase 0xf4)
    cli
.halt:
    hlt
    jmp .halt

; int 13h extended read (ah=42h) or write (ah=43h) of the DAP; stops the PC on an error
disk:
    mov si, dap
    mov dl, [drive]
    push ax
    int 0x13
    pop bx
    jc .failed
    ret
.failed:
    cli
    push ax
    mov si, msg_disk
    call puts
    pop ax
    movzx eax, ah
    call putnum
    mov si, crlf
    call puts
    jmp power_cut

; ZF clear and AL = the byte when COM1 has one
getc:
    mov dx, COM1 + 5
    in al, dx
    test al, 1
    jz .none
    mov dx, COM1
    in al, dx
    or dx, dx                   ; ZF clear
    ret
.none:
    xor dx, dx                  ; ZF set
    ret

rtc_seconds:
    mov al, 0x00
    out 0x70, al
    in al, 0x71
    ret

putc:
    push dx
    push ax
    mov dx, COM1 + 5
.busy:
    in al, dx
    test al, 0x20
    jz .busy
    pop ax
    mov dx, COM1
    out dx, al
    pop dx
    ret

puts:
    lodsb
    or al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

; EAX in decimal
putnum:
    mov ebx, 10
    xor cx, cx
.div:
    xor edx, edx
    div ebx
    push dx
    inc cx
    or eax, eax
    jnz .div
.out:
    pop ax
    add al, '0'
    call putc
    loop .out
    ret

msg_count    db 13, 10, "RETRO BOOT COUNT ", 0
msg_image    db " IMAGE ", 0
msg_hold     db "RETRO HOLDING", 13, 10, 0
msg_shutdown db "RETRO SHUTDOWN", 13, 10, 0
msg_power    db "RETRO POWER OFF", 13, 10, 0
msg_disk     db 13, 10, "RETRO DISK ERROR ", 0
crlf         db 13, 10, 0
drive        db 0

align 4
dap:
    db 16, 0
.count: dw 0
.off:   dw 0
.seg:   dw 0
.lba:   dd 0, 0

times 0x1fd - ($ - $$) db 0
image_version db '1'            ; offset 0x1fd: the test writes another version here
dw 0xaa55
