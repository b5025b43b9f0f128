package dev.depthcast;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --help} with the options under headings (network, model, scheduling, geometry, TLS/ICE,
 * diagnostics) instead of one long list. The options are fields of {@link ServeCommand} and its
 * mixins ({@link AccessOptions}, {@link GeometryOptions}, {@link IceOptions}); only the rendering
 * of picocli's option list changes. An option not named here is listed under
 * "other", so a new flag is never left out of the help.
 */
final class HelpGroups {

    static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put(
                "Network",
                List.of(
                        "--host",
                        "--port",
                        "--max-clients",
                        "--web-root",
                        "--drain-seconds",
                        "--wire",
                        "--dense",
                        "--send-buffer-kb"));
        GROUPS.put(
                "Model",
                List.of(
                        "--model",
                        "--preset",
                        "--model-output",
                        "--input-size",
                        "--backend",
                        "--engine",
                        "--precision",
                        "--threads"));
        GROUPS.put("Scheduling", List.of("--max-batch", "--max-wait-ms", "--latency-budget-ms", "--devices"));
        GROUPS.put("Geometry (point cloud)", List.of("--stride", "--fov", "--near", "--far", "--edge", "--stabilize"));
        GROUPS.put(
                "TLS / ICE",
                List.of(
                        "--tls-cert",
                        "--tls-key",
                        "--ice-server",
                        "--turn-secret",
                        "--turn-user",
                        "--turn-pass",
                        "--ice-port-range",
                        "--announced-ip"));
        GROUPS.put(
                "Access and limits (docs/security.md)",
                List.of(
                        "--auth-token",
                        "--auth-file",
                        "--no-auth",
                        "--allowed-origin",
                        "--admin-port",
                        "--max-sessions-per-ip",
                        "--sessions-per-minute",
                        "--max-connections",
                        "--max-connections-per-ip",
                        "--idle-timeout-s",
                        "--request-timeout-s",
                        "--serve-source-maps"));
        GROUPS.put(
                "Diagnostics",
                List.of(
                        "--simulate-inference-ms",
                        "--record-calibration",
                        "--record-frames",
                        "--debug",
                        "--help",
                        "--version"));
    }

    private HelpGroups() {}

    static void install(CommandLine cli) {
        cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING, help -> "");
        cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, HelpGroups::render);
        // A one-line synopsis: the grouped list below says every option.
        cli.getHelpSectionMap()
                .put(
                        CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS,
                        help -> "scripts/serve.sh [OPTIONS]   (or: java -jar depthcast-server.jar [OPTIONS])\n");
    }

    static String render(Help help) {
        StringBuilder out = new StringBuilder();
        List<OptionSpec> rest = new ArrayList<>(help.commandSpec().options());
        for (Map.Entry<String, List<String>> g : GROUPS.entrySet()) {
            Help.Layout layout = help.createDefaultLayout();
            boolean any = false;
            for (String name : g.getValue()) {
                OptionSpec o = help.commandSpec().findOption(name);
                if (o != null) {
                    layout.addOption(o, help.parameterLabelRenderer());
                    rest.remove(o);
                    any = true;
                }
            }
            if (any) {
                out.append('\n').append(g.getKey()).append(":\n").append(layout);
            }
        }
        if (!rest.isEmpty()) {
            Help.Layout layout = help.createDefaultLayout();
            rest.forEach(o -> layout.addOption(o, help.parameterLabelRenderer()));
            out.append("\nOther:\n").append(layout);
        }
        return out.toString();
    }
}
