import java.awt.image.BufferedImage;
import java.io.File;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/** Fails unless the PNG exists, decodes, and is not blank: at least 20 distinct colours and 1% non-white pixels. */
public final class PngCheck
{
    public static void main(final String[] args) throws Exception
    {
        final File file = new File(args[0]);
        final BufferedImage image = file.isFile() ? ImageIO.read(file) : null;
        if (image == null)
        {
            System.err.println("check-report: no decodable screenshot at " + file);
            System.exit(1);
        }
        final Set<Integer> colours = new HashSet<>();
        long nonWhite = 0;
        for (int y = 0; y < image.getHeight(); y++)
        {
            for (int x = 0; x < image.getWidth(); x++)
            {
                final int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff)
                {
                    nonWhite++;
                }
            }
        }
        final double fraction = (double)nonWhite / ((long)image.getWidth() * image.getHeight());
        System.out.printf("check-report: %dx%d, %d colours, %.1f%% non-white%n", image.getWidth(), image.getHeight(),
            colours.size(), fraction * 100);
        if (colours.size() < 20 || fraction < 0.01)
        {
            System.err.println("check-report: screenshot looks blank");
            System.exit(1);
        }
    }
}
