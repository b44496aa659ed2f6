# cowherd dm worker: device-mapper table loads, suspends and resumes through the kernel's ioctl
# interface (include/uapi/linux/dm-ioctl.h, interface version 4), and per-PC flock locks, for many
# devices in ONE process. dmsetup can load only one device per process; this worker lets a reset of
# N PCs run without N process starts. perl-base is Essential on Debian and Ubuntu, so /usr/bin/perl
# is always there. Started by the helper with a fixed argv; it reads requests on stdin, one per
# line, and answers each with one line. It trusts its caller (the root helper) only to the extent
# of the checks below, and exits when its stdin closes (releasing every lock it holds).
#
#   load <name> <sectors> <target> <params...>  one-target table into the inactive slot
#   resume <name> | suspend <name>
#   clear <name>                                drop the table waiting in the inactive slot
#   wipe <name> <sectors>                       load an error table and resume (dmsetup wipe_table)
#   table <name>                                the live table: "<start> <len> <target> <params>"
#   lock <path> | unlock <path>                 flock(LOCK_EX|LOCK_NB) on /run/cowherd/*.lock
#   batch <n>, then n requests                 one round trip for many devices: n answers in order
#                                              (run one after another: forking a child per device
#                                              to overlap the kernel's waits cost more than it saved)
# Answers: "ok[ <text>]", "busy" (lock held elsewhere) or "err <message>".
use strict;
use warnings;

$| = 1;
my $SIZEOF_DM_IOCTL = 312;    # version[3] data_size data_start target_count open_count flags event_nr padding dev name[128] uuid[129] data[7]
my $SIZEOF_SPEC     = 40;     # sector_start length status next target_type[16]
sub iowr { return (3 << 30) | ($SIZEOF_DM_IOCTL << 16) | (0xfd << 8) | $_[0] }
my %CMD = (suspend => iowr(6), load => iowr(9), clear => iowr(10), status => iowr(12));
my $DM_SUSPEND_FLAG      = 1 << 1;
my $DM_STATUS_TABLE_FLAG = 1 << 4;
my ($LOCK_EX, $LOCK_NB) = (2, 4);

my $ctl;
sub control {
    return $ctl if $ctl;
    open($ctl, "+<", "/dev/mapper/control") or die "cannot open /dev/mapper/control: $!\n";
    return $ctl;
}

sub header {
    my ($name, $flags, $size, $targets) = @_;
    return pack("L3 L L L l L L L Q a128 a129 a7", 4, 0, 0, $size, $SIZEOF_DM_IOCTL, $targets, 0, $flags, 0, 0, 0, $name, "", "");
}

sub dm_ioctl {
    my ($cmd, $buf) = @_;
    ioctl(control(), $CMD{$cmd}, $buf) or die "$!\n";
    return $buf;
}

sub load_table {
    my ($name, $len, $target, $params) = @_;
    my $p = $params . "\0";
    $p .= "\0" x ((8 - length($p) % 8) % 8);
    my $spec = pack("Q Q l L a16", 0, $len, 0, 0, $target) . $p;
    my $size = $SIZEOF_DM_IOCTL + length($spec);
    dm_ioctl("load", header($name, 0, $size, 1) . $spec);
}

sub suspend_flags {
    my ($name, $flags) = @_;
    dm_ioctl("suspend", header($name, $flags, $SIZEOF_DM_IOCTL, 0));
}

sub live_table {
    my ($name) = @_;
    my $size = 16384;
    my $buf  = dm_ioctl("status", header($name, $DM_STATUS_TABLE_FLAG, $size, 0) . ("\0" x ($size - $SIZEOF_DM_IOCTL)));
    my ($count, $start) = (unpack("L3 L L L", $buf))[5, 4];
    return "" unless $count;
    my ($sector, $len, undef, undef, $type) = unpack("Q Q l L Z16", substr($buf, $start, $SIZEOF_SPEC));
    my ($params) = unpack("Z*", substr($buf, $start + $SIZEOF_SPEC));
    return "$sector $len $type $params";
}

my %locks;
my $NAME = qr/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
my $WORD = qr/^[A-Za-z0-9_.:\/-]+$/;

sub handle {
    my ($op, @a) = split / /, $_[0];
    $op //= "";
    if ($op eq "lock" || $op eq "unlock") {
        my $path = $a[0] // "";
        die "bad lock path\n" unless @a == 1 && $path =~ m{^/run/cowherd/[A-Za-z0-9_.-]+\.lock$};
        if ($op eq "unlock") { close(delete $locks{$path}) if $locks{$path}; return "ok" }
        return "ok" if $locks{$path};
        open(my $fh, ">>", $path) or die "cannot open $path: $!\n";
        return "busy" unless flock($fh, $LOCK_EX | $LOCK_NB);
        $locks{$path} = $fh;
        return "ok";
    }
    my $name = $a[0] // "";
    die "bad device name\n" unless $name =~ $NAME;
    if ($op eq "clear") {
        die "usage: clear <name>\n" unless @a == 1;
        dm_ioctl("clear", header($name, 0, $SIZEOF_DM_IOCTL, 0));
        return "ok";
    }
    if ($op eq "resume" || $op eq "suspend") {
        die "usage: $op <name>\n" unless @a == 1;
        suspend_flags($name, $op eq "suspend" ? $DM_SUSPEND_FLAG : 0);
        return "ok";
    }
    if ($op eq "table") { die "usage: table <name>\n" unless @a == 1; return "ok " . live_table($name) }
    my $len = $a[1] // "";
    die "bad length\n" unless $len =~ /^[1-9][0-9]{0,15}$/;
    if ($op eq "wipe") {
        die "usage: wipe <name> <sectors>\n" unless @a == 2;
        load_table($name, $len, "error", "");
        suspend_flags($name, 0);
        return "ok";
    }
    if ($op eq "load") {
        my ($target, @params) = @a[2 .. $#a];
        die "usage: load <name> <sectors> <target> <params...>\n" unless defined $target && $target =~ /^[a-z-]{1,15}$/ && !grep { $_ !~ $WORD } @params;
        load_table($name, $len, $target, join(" ", @params));
        return "ok";
    }
    die "unknown request\n";
}

sub answer {
    my $answer = eval { handle($_[0]) };
    if (!defined $answer) { my $e = $@ || "failed\n"; chomp $e; $answer = "err $e" }
    return $answer;
}

while (my $line = <STDIN>) {
    chomp $line;
    if ($line =~ /^batch ([1-9][0-9]{0,3})$/) {
        my @requests;
        for (1 .. $1) { my $r = <STDIN>; last unless defined $r; chomp $r; push @requests, $r }
        print answer($_) . "\n" for @requests;
        next;
    }
    print answer($line) . "\n";
}
