package io.electionbench.loadgen.sync;

/**
 * How much heap a sync benchmark needs, checked before anything is written, so a run that cannot fit
 * fails at once with the {@code -Xmx} to use rather than with an {@link OutOfMemoryError} minutes in.
 *
 * <p>Where the memory goes ({@code S} snapshot bytes, {@code f} lagging followers, {@code f+1}
 * pre-loaded members, {@code N} txns):
 * <ul>
 * <li>the set-up generates the state on the heap and compacts the template's log into it, which keeps a
 * copy: {@code 2S} until the template is closed;
 * <li>a member opening the template's copy maps the snapshot's state ({@code FileTxnLog} recovery reads no
 * file whole), and a follower receiving a snapshot writes it to its file as it arrives and then maps the
 * file read-only: no heap;
 * <li>every member indexes its held entries in memory, 24 bytes each, in arrays that grow by doubling;
 * <li>room for G1 to place the {@code S}-byte arrays (humongous objects need contiguous regions), plus
 * a fixed allowance for Netty, rings and the JVM.
 * </ul>
 */
public final class SyncMemory {
    private static final long BASE_BYTES = 256L << 20;
    private static final long INDEX_BYTES_PER_ENTRY = 48;

    private SyncMemory() {
    }

    /** Heap bytes a run with these parameters needs (see the class comment). */
    public static long requiredHeapBytes(final int followers, final long txns, final long snapshotBytes) {
        final int members = 2 * followers + 1;
        final long indexes = INDEX_BYTES_PER_ENTRY * txns * members;
        final long snapshots = snapshotBytes == 0 ? 0 : 2 * snapshotBytes + snapshotBytes / 2;
        return BASE_BYTES + indexes + snapshots;
    }

    /** The {@code -Xmx} value to suggest for {@code bytes}: whole GiB, rounded up. */
    public static String xmx(final long bytes) {
        return ((bytes + (1L << 30) - 1) >> 30) + "g";
    }
}
