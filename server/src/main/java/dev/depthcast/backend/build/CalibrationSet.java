package dev.depthcast.backend.build;

import dev.depthcast.calibration.Y4m;
import dev.depthcast.ingest.I420Frame;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The frames an INT8 engine is calibrated on and then checked against its reference: every
 * {@code .y4m} clip (what {@code serve.sh --record-calibration} writes) and every image
 * (PNG, JPEG, BMP) in a folder, in file-name order, as I420 frames — the form live video reaches
 * the pipeline in, so calibration sees exactly the preprocessing serving does. Images are
 * converted to I420 with BT.601 limited range, the inverse of {@code process/Yuv}.
 *
 * <p>Of the frames, {@link #split} keeps every {@code holdOutEvery}-th apart for the accuracy gate
 * (the engine is not calibrated on the frames it is judged on) and spreads the calibration frames
 * evenly over the rest when there are more than asked for (frames next to each other in a clip are
 * nearly the same and add nothing).
 */
public final class CalibrationSet {

    /** Frames for calibration and frames held out for the accuracy check. */
    public record Split(List<I420Frame> calibration, List<I420Frame> heldOut) {}

    private CalibrationSet() {}

    /** All frames of a folder; fails naming the folder when it holds none. */
    public static List<I420Frame> read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a folder (--calib-images takes a folder of images or .y4m clips)");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<I420Frame> frames = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".y4m")) {
                frames.addAll(Y4m.read(f));
            } else if (name.endsWith(".png")
                    || name.endsWith(".jpg")
                    || name.endsWith(".jpeg")
                    || name.endsWith(".bmp")) {
                BufferedImage img = ImageIO.read(f.toFile());
                if (img == null) {
                    throw new IOException(f + ": not a readable image");
                }
                frames.add(toI420(img, frames.size()));
            }
        }
        if (frames.isEmpty()) {
            throw new IOException(dir + ": no .y4m clips or .png/.jpg/.bmp images");
        }
        return frames;
    }

    /**
     * Every {@code holdOutEvery}-th frame is held out; of the rest at most {@code maxCalibration},
     * evenly spread.
     */
    public static Split split(List<I420Frame> frames, int holdOutEvery, int maxCalibration) {
        if (holdOutEvery < 2 || maxCalibration < 1) {
            throw new IllegalArgumentException("holdOutEvery >= 2 and maxCalibration >= 1");
        }
        List<I420Frame> rest = new ArrayList<>();
        List<I420Frame> heldOut = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            (i % holdOutEvery == holdOutEvery - 1 ? heldOut : rest).add(frames.get(i));
        }
        return new Split(spread(rest, maxCalibration), heldOut);
    }

    /** At most {@code n} of {@code frames}, evenly spaced, first and last included. */
    static List<I420Frame> spread(List<I420Frame> frames, int n) {
        if (frames.size() <= n) {
            return List.copyOf(frames);
        }
        List<I420Frame> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(frames.get(n == 1 ? 0 : (int) Math.round((double) i * (frames.size() - 1) / (n - 1))));
        }
        return out;
    }

    /** RGB to I420, BT.601 limited range; chroma from the mean of each 2x2 block. */
    static I420Frame toI420(BufferedImage img, int seq) {
        int w = img.getWidth() & ~1;
        int h = img.getHeight() & ~1;
        if (w < 2 || h < 2) {
            throw new IllegalArgumentException("image too small: " + img.getWidth() + "x" + img.getHeight());
        }
        byte[] y = new byte[w * h];
        byte[] u = new byte[(w / 2) * (h / 2)];
        byte[] v = new byte[(w / 2) * (h / 2)];
        for (int j = 0; j < h; j += 2) {
            for (int i = 0; i < w; i += 2) {
                double sr = 0;
                double sg = 0;
                double sb = 0;
                for (int dj = 0; dj < 2; dj++) {
                    for (int di = 0; di < 2; di++) {
                        int rgb = img.getRGB(i + di, j + dj);
                        double r = ((rgb >> 16) & 0xff) / 255.0;
                        double g = ((rgb >> 8) & 0xff) / 255.0;
                        double b = (rgb & 0xff) / 255.0;
                        y[(j + dj) * w + i + di] = clamp(16 + 65.481 * r + 128.553 * g + 24.966 * b);
                        sr += r;
                        sg += g;
                        sb += b;
                    }
                }
                sr /= 4;
                sg /= 4;
                sb /= 4;
                int c = (j / 2) * (w / 2) + i / 2;
                u[c] = clamp(128 - 37.797 * sr - 74.203 * sg + 112.0 * sb);
                v[c] = clamp(128 + 112.0 * sr - 93.786 * sg - 18.214 * sb);
            }
        }
        return new I420Frame(w, h, y, u, v, seq, 0, 0, 0, 0);
    }

    private static byte clamp(double x) {
        return (byte) Math.max(0, Math.min(255, (int) Math.round(x)));
    }
}
