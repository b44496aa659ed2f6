; The room test's "operating system": a BIOS boot sector that stands in for Windows XP on a retro PC.
; iPXE's sanboot loads it from the PC's iSCSI LUN and runs it with the LUN as BIOS drive DL. It
; loads the rest of itself (its second sector in this file, at LBA 2 on the disk: LBA 1 is the
; counter) to 0x7e00, then:
;  1. reads a boot counter from LBA 1 through int 13h, adds one, writes it back;
;  2. writes WRITE_SECTORS more sectors (from LBA 2048) so the COW's usage moves;
;     and reads the first sector of BIOS drive 0x81 (the game disk the boot script hooks), if any;
;  3. prints "RETRO BOOT COUNT <n> IMAGE <v>" on COM1 (v: the byte at offset 0x1fd, patched per master version),
;     then "RETRO GAME <text>": the game disk's first sector as text (its marker), or NONE without one;
;  4. waits about 3 s for a command on COM1 (with interrupts off, so the BIOS serial console does
;     not take the byte first):
;       H  hold: stay up (the iSCSI session stays open) until Q or P arrives
;       P  power cut: isa-debug-exit ends QEMU at once (the session is left open, as a real power cut)
;       Q  or nothing: shut down cleanly: int 18h hands control back to iPXE, which (keep-san off)
;          closes the session, the way Windows logs out when it shuts down.
;       U  "install an update": the version byte at 0x1fd goes up by one and sector 0 is written
;          back (on an update PC that is the draft of the next master version), then shut down.
; Any int 13h failure prints "RETRO DISK ERROR <ah>" and powers off.

bits 16
org 0x7c00

COM1          equ 0x3f8
COUNTER_LBA   equ 1
WRITE_LBA     equ 2048
WRITE_SECTORS equ 2048          ; 1 MiB in 32 calls of 64 (iPXE's int 13h takes at most 127 per call)
MAGIC         equ 'RCNT'
BUF           equ 0x8000        ; the counter sector
PRISTINE      equ 0x0600        ; this sector as loaded, before anything in it changed (for U)
WBUF          equ 0x1000        ; segment of the 64 KiB written (0x10000-0x1ffff)
GBUF          equ 0x9000        ; the game disk's first sector
STAGE2        equ 0x7e00        ; where the second sector is loaded: right after this one (org + 512)
STAGE2_LBA    equ 2

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov si, sp                  ; the sector as loaded (its DAP and drive byte as on the disk)
    mov di, PRISTINE
    mov cx, 256
    rep movsw
    mov [drive], dl
    ; the rest of the program (the DAP starts out set for it: one sector at LBA 2 into 0x7e00)
    mov ah, 0x42
    call disk
    mov word [dap.off], BUF
    mov byte [dap.lba], COUNTER_LBA
    jmp main

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
    call rputs
    pop ax
    movzx eax, ah
    call putnum
    mov si, crlf
    call puts

power_cut:
    mov si, msg_power
    call rputs
    out 0xf4, al                ; any value: QEMU exits (QEMU -device isa-debug-exit, iobase 0xf4)
    cli
.halt:
    hlt
    jmp .halt

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

; "RETRO " on a new line, then the message at SI
rputs:
    push si
    mov si, msg_retro
    call puts
    pop si
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

msg_retro    db 13, 10, "RETRO ", 0
msg_disk     db "DISK ERROR ", 0

; The rest lives where the partition table would be. iPXE guesses the disk's C/H/S geometry from
; every entry whose type byte (offset 4) is not 0, and a garbage guess makes its own read of this
; sector fail ("Input/output error"): so each type byte (0x1c2, 0x1d2, 0x1e2, 0x1f2) is a 0 here,
; on the disk as on every copy the U key writes.
times 0x1be - ($ - $$) db 0
dap:                            ; its type byte is .off's low byte: 0x7e00's, 0
    db 16, 0
.count: dw 1
.off:   dw STAGE2
.seg:   dw 0
.lba:   dd STAGE2_LBA, 0
%if (BUF & 0xff) != 0 || (STAGE2 & 0xff) != 0
%error "BUF and STAGE2 must end in 00: the low byte of .off is the first partition entry's type byte"
%endif
drive        db 0
crlf         db 13, 10, 0
times 0x1d3 - ($ - $$) db 0     ; 0x1d2
msg_count    db "BOOT COUNT ", 0
times 0x1e3 - ($ - $$) db 0     ; 0x1e2
msg_power    db "POWER OFF", 13, 10, 0
times 0x1f3 - ($ - $$) db 0     ; 0x1f2
msg_hold     db "HOLDING", 13, 10, 0
image_version db '1'            ; offset 0x1fd: the test writes another version here
dw 0xaa55

; ── the second sector: LBA 2 on the disk, loaded at 0x7e00 ──────────────────────────────────────
times 512 - ($ - $$) db 0       ; (an error if the first sector ran long)
main:
    ; 1. the counter: "RCNT" then a 32-bit count; anything else counts as 0 (the DAP is set for
    ;    it: one sector at LBA 1 into BUF)
    mov ah, 0x42
    call disk
    cmp dword [BUF], MAGIC
    je .known
    mov dword [BUF], MAGIC
    mov dword [BUF + 4], 0
.known:
    inc dword [BUF + 4]
    mov ax, 0x4300
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
    mov ax, 0x4300
    call disk
    add word [dap.lba], 64
    dec bp
    jnz .more

    ; the game disk's first sector, from BIOS drive 0x81 (not through `disk`: a PC without a game
    ; disk has no drive 0x81, and says NONE)
    mov word [dap.count], 1
    mov word [dap.off], GBUF
    mov word [dap.seg], 0       ; (the writes above left WBUF's segment here)
    mov dword [dap.lba], 0
    mov si, dap
    mov dl, 0x81
    mov ah, 0x42
    int 0x13
    jnc .game
    mov dword [GBUF], 'NONE'
    mov byte [GBUF + 4], 0
.game:
    mov byte [GBUF + 40], 0     ; a marker is text: at most 40 characters of it

    ; 3. the report (interrupts off from here: the COM1 input is ours)
    cli
    mov si, msg_count
    call rputs
    mov eax, [BUF + 4]
    call putnum
    mov si, msg_image
    call puts
    mov al, [image_version]
    call putc
    mov si, msg_game
    call rputs
    mov si, GBUF
    call puts
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
    cmp al, 'U'
    je update
    jmp shutdown

hold:
    mov si, msg_hold
    call rputs
.loop:
    call getc
    jz .loop
    cmp al, 'P'
    je power_cut
    cmp al, 'Q'
    je shutdown
    jmp .loop

; sector 0 as it was loaded, its version byte one up (es is 0 here); then the clean shutdown
update:
    inc byte [image_version - $$ + PRISTINE]
    mov di, dap.count
    mov ax, 1
    stosw                       ; count
    mov ax, PRISTINE
    stosw                       ; offset
    xor ax, ax
    stosw                       ; segment
    stosw                       ; LBA (its high words are still 0)
    sti
    mov ax, 0x4300
    call disk

shutdown:
    mov si, msg_shutdown
    call rputs
    sti
    int 0x18                    ; back to iPXE (it hooks int 18h around the boot)
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

msg_image    db " IMAGE ", 0
msg_game     db "GAME ", 0
msg_shutdown db "SHUTDOWN", 13, 10, 0
times 1024 - ($ - $$) db 0
