// The oracle for stackweave-vtl's differential test: renders mapping templates with Apache
// Velocity 1.7 and variables shaped as API Gateway documents `$input`, `$util`, `$context`
// and `$stageVariables`.
//
// Protocol (written by tests/oracle.rs, one JVM for the whole corpus). Every value is hex of
// its UTF-8 bytes behind an `x`, so any text survives a line-based format:
//   in:  case x<name> / template x<t> / body x<b> / path|querystring|header|stage x<k> x<v> /
//        context x<json> / end
//   out: result x<name> ok x<text> <status or -> / header x<k> x<v> ... / done
//        result x<name> error x<message> / done
//
// API Gateway's differences from plain Velocity are configured here, where they are
// documented: `#foreach` stops after 1,000 iterations (directive.foreach.maxloops). Macros
// are local to the template that defines them, as each API Gateway template stands alone.

import java.io.*;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.commons.lang.StringEscapeUtils;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

public final class VelocityHarness {
    public static void main(String[] args) throws Exception {
        VelocityEngine engine = new VelocityEngine();
        engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        engine.setProperty("directive.foreach.maxloops", "1000");
        // Each template is rendered on its own: its macros must not leak into the next case.
        engine.setProperty("velocimacro.permissions.allow.inline.local.scope", "true");
        engine.init();
        BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(args[0]), StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        Case c = null;
        for (String line; (line = in.readLine()) != null; ) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "case": c = new Case(); c.name = unhex(f[1]); break;
                case "template": c.template = unhex(f[1]); break;
                case "body": c.body = unhex(f[1]); break;
                case "path": c.path.put(unhex(f[1]), unhex(f[2])); break;
                case "querystring": c.query.put(unhex(f[1]), unhex(f[2])); break;
                case "header": c.header.put(unhex(f[1]), unhex(f[2])); break;
                case "stage": c.stage.put(unhex(f[1]), unhex(f[2])); break;
                case "context": c.context = unhex(f[1]); break;
                case "end": run(engine, c, out); break;
                default: throw new IllegalStateException("bad line: " + line);
            }
        }
    }

    static final class Case {
        String name, template = "", body = "", context = "{}";
        Map<String, String> path = new LinkedHashMap<>(), query = new LinkedHashMap<>(),
            header = new LinkedHashMap<>(), stage = new LinkedHashMap<>();
    }

    @SuppressWarnings("unchecked")
    static void run(VelocityEngine engine, Case c, PrintStream out) {
        Map<String, Object> context = (Map<String, Object>) new Json(c.context).value();
        Map<String, Object> override = new LinkedHashMap<>();
        override.put("header", new LinkedHashMap<String, Object>());
        context.put("responseOverride", override);
        VelocityContext vc = new VelocityContext();
        vc.put("input", new Input(c));
        vc.put("util", new Util());
        vc.put("context", context);
        vc.put("stageVariables", new LinkedHashMap<>(c.stage));
        StringWriter w = new StringWriter();
        try {
            engine.evaluate(vc, w, c.name, c.template);
        } catch (Throwable e) {
            String m = e.getClass().getSimpleName() + ": " + e.getMessage();
            out.println("result " + hex(c.name) + " error " + hex(m));
            out.println("done");
            return;
        }
        Object status = override.get("status");
        out.println("result " + hex(c.name) + " ok " + hex(w.toString()) + " " + (status == null ? "-" : hex(status.toString())));
        for (Map.Entry<String, Object> h : ((Map<String, Object>) override.get("header")).entrySet()) {
            out.println("header " + hex(h.getKey()) + " " + hex(String.valueOf(h.getValue())));
        }
        out.println("done");
    }

    static String hex(String s) {
        StringBuilder b = new StringBuilder("x");
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) b.append(String.format("%02x", x & 0xff));
        return b.toString();
    }

    static String unhex(String s) {
        byte[] b = new byte[(s.length() - 1) / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(1 + 2 * i, 3 + 2 * i), 16);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** `$input` as API Gateway documents it. */
    public static final class Input {
        private final Case c;
        Input(Case c) { this.c = c; }
        public String getBody() { return c.body; }
        public Object path(String p) { return JsonPath.select(parsed(), p); }
        public String json(String p) { return Json.write(JsonPath.select(parsed(), p)); }
        public Map<String, Object> params() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", new LinkedHashMap<>(c.path));
            m.put("querystring", new LinkedHashMap<>(c.query));
            m.put("header", new LinkedHashMap<>(c.header));
            return m;
        }
        public String params(String name) {
            if (c.path.containsKey(name)) return c.path.get(name);
            if (c.query.containsKey(name)) return c.query.get(name);
            if (c.header.containsKey(name)) return c.header.get(name);
            return "";
        }
        private Object parsed() {
            try { return new Json(c.body).value(); } catch (RuntimeException e) { return null; }
        }
    }

    /** `$util` as API Gateway documents it. */
    public static final class Util {
        public String escapeJavaScript(String s) { return StringEscapeUtils.escapeJavaScript(s); }
        public Object parseJson(String s) { return new Json(s).value(); }
        public String urlEncode(String s) throws Exception { return URLEncoder.encode(s, "UTF-8"); }
        public String urlDecode(String s) throws Exception { return URLDecoder.decode(s, "UTF-8"); }
        public String base64Encode(String s) { return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }
        public String base64Decode(String s) { return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8); }
    }

    /** JSONPath as far as the corpus needs: `$`, `.name`, `['name']`, `[index]`. */
    static final class JsonPath {
        static Object select(Object root, String p) {
            if (!p.startsWith("$")) throw new IllegalArgumentException("json path must start with $");
            Object cur = root;
            int i = 1;
            while (i < p.length() && cur != null) {
                char ch = p.charAt(i);
                if (ch == '.') {
                    int j = i + 1;
                    while (j < p.length() && p.charAt(j) != '.' && p.charAt(j) != '[') j++;
                    cur = member(cur, p.substring(i + 1, j));
                    i = j;
                } else if (ch == '[') {
                    int j = p.indexOf(']', i);
                    String k = p.substring(i + 1, j);
                    if (k.startsWith("'") || k.startsWith("\"")) cur = member(cur, k.substring(1, k.length() - 1));
                    else if (cur instanceof List) {
                        int n = Integer.parseInt(k.trim());
                        List<?> l = (List<?>) cur;
                        cur = n >= 0 && n < l.size() ? l.get(n) : null;
                    } else cur = null;
                    i = j + 1;
                } else throw new IllegalArgumentException("bad json path " + p);
            }
            return cur;
        }
        static Object member(Object cur, String k) { return cur instanceof Map ? ((Map<?, ?>) cur).get(k) : null; }
    }

    /** A small JSON reader (objects keep their order) and writer. */
    static final class Json {
        private final String s;
        private int i;
        Json(String s) { this.s = s; }
        Object value() {
            Object v = read();
            ws();
            if (i != s.length()) throw new IllegalArgumentException("trailing text");
            return v;
        }
        private void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
        private Object read() {
            ws();
            if (i >= s.length()) throw new IllegalArgumentException("end of input");
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    ws();
                    String k = (String) read();
                    ws();
                    if (s.charAt(i++) != ':') throw new IllegalArgumentException("expected :");
                    m.put(k, read());
                    ws();
                    char d = s.charAt(i++);
                    if (d == '}') return m;
                    if (d != ',') throw new IllegalArgumentException("expected ,");
                }
            }
            if (c == '[') {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (s.charAt(i) == ']') { i++; return l; }
                while (true) {
                    l.add(read());
                    ws();
                    char d = s.charAt(i++);
                    if (d == ']') return l;
                    if (d != ',') throw new IllegalArgumentException("expected ,");
                }
            }
            if (c == '"') {
                i++;
                StringBuilder b = new StringBuilder();
                while (true) {
                    char d = s.charAt(i++);
                    if (d == '"') return b.toString();
                    if (d == '\\') {
                        char e = s.charAt(i++);
                        switch (e) {
                            case 'n': b.append('\n'); break;
                            case 't': b.append('\t'); break;
                            case 'r': b.append('\r'); break;
                            case 'b': b.append('\b'); break;
                            case 'f': b.append('\f'); break;
                            case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                            default: b.append(e);
                        }
                    } else b.append(d);
                }
            }
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int j = i;
            while (j < s.length() && "+-0123456789.eE".indexOf(s.charAt(j)) >= 0) j++;
            String n = s.substring(i, j);
            if (n.isEmpty()) throw new IllegalArgumentException("unexpected character");
            i = j;
            if (n.contains(".") || n.contains("e") || n.contains("E")) return Double.valueOf(n);
            long l = Long.parseLong(n);
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return (int) l;
            return l;
        }

        static String write(Object v) {
            if (v == null) return "null";
            if (v instanceof String) {
                StringBuilder b = new StringBuilder("\"");
                for (char c : ((String) v).toCharArray()) {
                    switch (c) {
                        case '"': b.append("\\\""); break;
                        case '\\': b.append("\\\\"); break;
                        case '\n': b.append("\\n"); break;
                        case '\r': b.append("\\r"); break;
                        case '\t': b.append("\\t"); break;
                        case '\b': b.append("\\b"); break;
                        case '\f': b.append("\\f"); break;
                        default:
                            if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                            else b.append(c);
                    }
                }
                return b.append('"').toString();
            }
            if (v instanceof Map) {
                StringBuilder b = new StringBuilder("{");
                boolean first = true;
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    if (!first) b.append(',');
                    first = false;
                    b.append(write(String.valueOf(e.getKey()))).append(':').append(write(e.getValue()));
                }
                return b.append('}').toString();
            }
            if (v instanceof List) {
                StringBuilder b = new StringBuilder("[");
                boolean first = true;
                for (Object e : (List<?>) v) {
                    if (!first) b.append(',');
                    first = false;
                    b.append(write(e));
                }
                return b.append(']').toString();
            }
            return v.toString();
        }
    }
}
