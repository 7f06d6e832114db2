package bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** A line chart drawn with java.awt in headless mode (no dependency): log2 x axis, log y axis, a line per series. */
final class Chart {
    record Series(String label, Color color, boolean dashed, double[] x, double[] y) {
    }

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b)};

    static Color color(int i) {
        return COLORS[i % COLORS.length];
    }

    private Chart() {
    }

    static void draw(Path file, String title, String xLabel, String yLabel, List<Series> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int width = 900;
        int height = 540;
        int left = 80;
        int right = 200;
        int top = 50;
        int bottom = 60;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);

        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMin = 1;
        double yMax = 1;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!(s.y()[i] > 0)) {
                    continue;
                }
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                yMin = Math.min(yMin, s.y()[i]);
                yMax = Math.max(yMax, s.y()[i]);
            }
        }
        if (xMin == Double.MAX_VALUE) {
            xMin = 32;
            xMax = 512;
        }
        if (xMin == xMax) {
            xMin /= 2;
            xMax *= 2;
        }
        // y range: whole decades split 1-2-5, with room around the data
        double lyMin = Math.floor(Math.log10(yMin / 1.2) * 3) / 3;
        double lyMax = Math.ceil(Math.log10(yMax * 1.2) * 3) / 3;
        double lxMin = Math.log(xMin) / Math.log(2) - 0.3;
        double lxMax = Math.log(xMax) / Math.log(2) + 0.3;
        int plotW = width - left - right;
        int plotH = height - top - bottom;
        java.util.function.DoubleUnaryOperator px = x -> left + (Math.log(x) / Math.log(2) - lxMin) / (lxMax - lxMin) * plotW;
        java.util.function.DoubleUnaryOperator py = y -> top + plotH - (Math.log10(y) - lyMin) / (lyMax - lyMin) * plotH;

        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        // grid and y ticks
        List<Double> ticks = new ArrayList<>();
        for (int e = (int) Math.floor(lyMin) - 1; e <= Math.ceil(lyMax); e++) {
            for (double m : new double[] {1, 2, 5}) {
                double v = m * Math.pow(10, e);
                double l = Math.log10(v);
                if (l >= lyMin - 1e-9 && l <= lyMax + 1e-9) {
                    ticks.add(v);
                }
            }
        }
        for (double v : ticks) {
            int y = (int) Math.round(py.applyAsDouble(v));
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(left, y, left + plotW, y);
            g.setColor(Color.DARK_GRAY);
            String label = (v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v))
                    + "×";
            g.drawString(label, left - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        for (int e = (int) Math.ceil(lxMin); e <= Math.floor(lxMax); e++) {
            double v = Math.pow(2, e);
            int x = (int) Math.round(px.applyAsDouble(v));
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(x, top, x, top + plotH);
            g.setColor(Color.DARK_GRAY);
            String label = String.valueOf((int) v);
            g.drawString(label, x - fm.stringWidth(label) / 2, top + plotH + fm.getAscent() + 6);
        }
        // parity line
        if (lyMin <= 0 && lyMax >= 0) {
            int y = (int) Math.round(py.applyAsDouble(1));
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1.5f));
            g.drawLine(left, y, left + plotW, y);
            g.drawString("parity", left + plotW - fm.stringWidth("parity") - 4, y - 4);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, plotW, plotH);
        // series
        int legendY = top + 10;
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(s.dashed()
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {7, 5}, 0)
                    : new BasicStroke(2.5f));
            int prevX = -1;
            int prevY = -1;
            for (int i = 0; i < s.x().length; i++) {
                if (!(s.y()[i] > 0)) {
                    prevX = -1;
                    continue;
                }
                int x = (int) Math.round(px.applyAsDouble(s.x()[i]));
                int y = (int) Math.round(py.applyAsDouble(s.y()[i]));
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, x, y);
                }
                g.fillOval(x - 4, y - 4, 8, 8);
                prevX = x;
                prevY = y;
            }
            g.drawLine(left + plotW + 15, legendY, left + plotW + 45, legendY);
            g.fillOval(left + plotW + 26, legendY - 4, 8, 8);
            g.setColor(Color.BLACK);
            g.drawString(s.label(), left + plotW + 52, legendY + fm.getAscent() / 2 - 1);
            legendY += 22;
        }
        // labels
        g.setColor(Color.BLACK);
        g.setFont(font.deriveFont(Font.BOLD, 15f));
        FontMetrics bold = g.getFontMetrics();
        g.drawString(title, Math.max(10, (width - bold.stringWidth(title)) / 2), 28);
        g.setFont(font);
        g.drawString(xLabel, left + (plotW - fm.stringWidth(xLabel)) / 2, height - 15);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(top + (plotH + fm.stringWidth(yLabel)) / 2), 22);
        rotated.dispose();
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }
}
