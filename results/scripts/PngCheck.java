import java.awt.image.BufferedImage;
import java.io.File;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Fails unless the screenshot exists, decodes and shows a rendered report: not blank (at least 20
 * distinct colours and 1% non-white pixels) and with its charts drawn (at least 3 of the targets'
 * colours, 100 pixels each). Text alone, as when the plots' script did not run, fails the second.
 */
public final class PngCheck {
    /** The targets' colours (report Palette.TARGETS): the fixture draws process, zookeeper, sim and jmh. */
    private static final int[] SERIES_COLOURS = {0x4e79a7, 0xf28e2b, 0x59a14f, 0xb07aa1, 0x76b7b2, 0x9c755f};
    private static final int MIN_SERIES_COLOURS = 3;
    private static final int MIN_PIXELS_PER_COLOUR = 100;
    /** Per-channel tolerance: lines are anti-aliased against the chart background. */
    private static final int TOLERANCE = 24;

    public static void main(final String[] args) throws Exception {
        final File file = new File(args[0]);
        final BufferedImage image = file.isFile() ? ImageIO.read(file) : null;
        if (image == null) {
            fail("no decodable screenshot at " + file);
        }
        final Set<Integer> colours = new HashSet<>();
        final long[] seriesPixels = new long[SERIES_COLOURS.length];
        long nonWhite = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                final int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) {
                    nonWhite++;
                }
                for (int i = 0; i < SERIES_COLOURS.length; i++) {
                    if (isNear(rgb, SERIES_COLOURS[i])) {
                        seriesPixels[i]++;
                    }
                }
            }
        }
        int seriesDrawn = 0;
        for (final long n : seriesPixels) {
            seriesDrawn += n >= MIN_PIXELS_PER_COLOUR ? 1 : 0;
        }
        final double fraction = (double)nonWhite / ((long)image.getWidth() * image.getHeight());
        System.out.printf("check-report: %dx%d, %d colours, %.1f%% non-white, %d series colours drawn%n", image.getWidth(),
            image.getHeight(), colours.size(), fraction * 100, seriesDrawn);
        if (colours.size() < 20 || fraction < 0.01) {
            fail("screenshot looks blank");
        }
        if (seriesDrawn < MIN_SERIES_COLOURS) {
            fail("no charts drawn: fewer than " + MIN_SERIES_COLOURS + " series colours with " + MIN_PIXELS_PER_COLOUR
                + " pixels each");
        }
    }

    private static boolean isNear(final int rgb, final int target) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((rgb >> shift) & 0xff) - ((target >> shift) & 0xff)) > TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    private static void fail(final String message) {
        System.err.println("check-report: " + message);
        System.exit(1);
    }
}
