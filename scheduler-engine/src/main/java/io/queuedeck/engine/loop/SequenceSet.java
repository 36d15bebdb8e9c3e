package io.queuedeck.engine.loop;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A set of task sequences as a paged bitmap: add and remove set or clear one bit (no allocation
 * unless a page of 4,096 sequences is touched for the first time), and the next member after a
 * sequence is found through a bitmap of non-empty pages. Pages span only the live range, from the
 * lowest page that holds a member to the highest, so a set costs about 8 bytes per 4,096
 * sequences of that range plus 512 bytes per non-empty page (and 16 KiB more when it keeps a
 * value per member). Loop thread only.
 */
final class SequenceSet {
    private static final int PAGE_BITS = 12;
    private static final int WORDS = 1 << (PAGE_BITS - 6);

    private long[][] pages = new long[8][];
    private Object[][] values; // beside pages when the set keeps a value per member; null otherwise
    private long base = -1; // page number of pages[0]; -1 while the set has never held anything
    private final BitSet nonEmpty = new BitSet(); // by index into pages
    private int size;

    /** A set that keeps one value per member, read with {@link #get}. */
    static SequenceSet withValues() {
        SequenceSet set = new SequenceSet();
        set.values = new Object[set.pages.length][];
        return set;
    }

    void add(long sequence) {
        add(sequence, null);
    }

    void add(long sequence, Object value) {
        long page = sequence >>> PAGE_BITS;
        int at = slot(page);
        long[] words = pages[at];
        if (words == null) {
            words = pages[at] = new long[WORDS];
            nonEmpty.set(at);
            if (values != null) {
                values[at] = new Object[1 << PAGE_BITS];
            }
        }
        if (values != null) {
            values[at][(int) sequence & ((1 << PAGE_BITS) - 1)] = value;
        }
        int word = (int) (sequence >>> 6) & (WORDS - 1);
        long bit = 1L << sequence;
        if ((words[word] & bit) == 0) {
            words[word] |= bit;
            size++;
        }
    }

    void remove(long sequence) {
        long at = (sequence >>> PAGE_BITS) - base;
        if (base < 0 || at < 0 || at >= pages.length || pages[(int) at] == null) {
            return;
        }
        long[] words = pages[(int) at];
        int word = (int) (sequence >>> 6) & (WORDS - 1);
        long bit = 1L << sequence;
        if ((words[word] & bit) != 0) {
            words[word] &= ~bit;
            size--;
            if (values != null) {
                values[(int) at][(int) sequence & ((1 << PAGE_BITS) - 1)] = null;
            }
            if (words[word] == 0 && isClear(words)) {
                pages[(int) at] = null;
                nonEmpty.clear((int) at);
                if (values != null) {
                    values[(int) at] = null;
                }
            }
        }
    }

    boolean contains(long sequence) {
        long at = (sequence >>> PAGE_BITS) - base;
        if (base < 0 || at < 0 || at >= pages.length || pages[(int) at] == null) {
            return false;
        }
        return (pages[(int) at][(int) (sequence >>> 6) & (WORDS - 1)] & (1L << sequence)) != 0;
    }

    /** The value kept with {@code sequence}, or null. */
    Object get(long sequence) {
        return contains(sequence) ? values[(int) ((sequence >>> PAGE_BITS) - base)][(int) sequence & ((1 << PAGE_BITS) - 1)] : null;
    }

    int size() {
        return size;
    }

    /** The smallest member greater than {@code after}, or -1. */
    long next(long after) {
        if (size == 0) {
            return -1;
        }
        long from = Math.max(after + 1, 0);
        long at = (from >>> PAGE_BITS) - base;
        if (at >= pages.length) {
            return -1;
        }
        if (at >= 0 && pages[(int) at] != null) {
            long[] words = pages[(int) at];
            int word = (int) (from >>> 6) & (WORDS - 1);
            long bits = words[word] & (-1L << from);
            while (true) {
                if (bits != 0) {
                    return ((base + at) << PAGE_BITS) + ((long) word << 6) + Long.numberOfTrailingZeros(bits);
                }
                if (++word == WORDS) {
                    break;
                }
                bits = words[word];
            }
        }
        int page = nonEmpty.nextSetBit((int) Math.max(at + 1, 0));
        if (page < 0) {
            return -1;
        }
        long[] words = pages[page];
        for (int word = 0; ; word++) {
            if (words[word] != 0) {
                return ((base + page) << PAGE_BITS) + ((long) word << 6) + Long.numberOfTrailingZeros(words[word]);
            }
        }
    }

    /** The smallest sequence greater than {@code after} in both sets, or -1 (leapfrogging between them). */
    static long nextInBoth(SequenceSet a, SequenceSet b, long after) {
        long x = a.next(after);
        while (x >= 0) {
            long y = b.next(x - 1);
            if (y == x || y < 0) {
                return y;
            }
            x = a.next(y - 1);
        }
        return -1;
    }

    /** The index in {@link #pages} of {@code page}, growing the window to reach it. */
    private int slot(long page) {
        if (base < 0) {
            base = page;
        }
        if (page < base) {
            int shift = (int) (base - page);
            long[][] grown = new long[Math.max(pages.length * 2, pages.length + shift)][];
            System.arraycopy(pages, 0, grown, shift, pages.length);
            if (values != null) {
                Object[][] movedValues = new Object[grown.length][];
                System.arraycopy(values, 0, movedValues, shift, values.length);
                values = movedValues;
            }
            pages = grown;
            base = page;
            nonEmpty.clear();
            for (int i = 0; i < pages.length; i++) {
                if (pages[i] != null) {
                    nonEmpty.set(i);
                }
            }
        } else if (page - base >= pages.length) {
            int first = nonEmpty.nextSetBit(0);
            if (first > 0 && page - base - first < pages.length / 2) {
                // the low end emptied: slide the window instead of growing it
                if (values != null) {
                    values = Arrays.copyOfRange(values, first, first + values.length);
                }
                pages = Arrays.copyOfRange(pages, first, first + pages.length);
                base += first;
                BitSet moved = nonEmpty.get(first, nonEmpty.length());
                nonEmpty.clear();
                nonEmpty.or(moved);
            } else if (first < 0) {
                Arrays.fill(pages, null);
                if (values != null) {
                    Arrays.fill(values, null);
                }
                base = page;
            } else {
                pages = Arrays.copyOf(pages, (int) Math.max(pages.length * 2L, page - base + 1));
                if (values != null) {
                    values = Arrays.copyOf(values, pages.length);
                }
            }
        }
        return (int) (page - base);
    }

    private static boolean isClear(long[] words) {
        for (long word : words) {
            if (word != 0) {
                return false;
            }
        }
        return true;
    }
}
