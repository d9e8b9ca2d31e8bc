package dev.kfptribuo.localrun;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The package dependencies of compiled classes, as the JDK's {@code jdeps} finds them in the class
 * files (every reference of the constant pool: fields, methods, signatures, annotations), and the
 * cycles among them.
 *
 * <p>Main and test classes are separate nodes: a test package is {@code name (tests)}. A test class
 * may use the main classes of any package (a test of package {@code a} using a fixture in {@code b}
 * that uses {@code a}'s main classes is no cycle); main classes never see test classes, so a cycle
 * is one among main packages or one among test packages.
 */
final class PackageGraph {
    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s+\\S.*$");
    static final String TESTS = " (tests)";

    /** Node to the nodes it depends on, each with one class-level dependence as the example. */
    private final Map<String, Map<String, String>> edges = new TreeMap<>();

    private PackageGraph() {}

    /**
     * @param mainRoots directories (or jars) of main classes
     * @param testRoots directories of test classes
     * @return the graph of their packages
     */
    static PackageGraph scan(List<Path> mainRoots, List<Path> testRoots) {
        PackageGraph graph = new PackageGraph();
        Set<String> mainClasses = classes(mainRoots);
        Set<String> testClasses = classes(testRoots);
        Set<String> packages = new TreeSet<>();
        Stream.concat(mainClasses.stream(), testClasses.stream())
                .map(PackageGraph::packageOf)
                .forEach(packages::add);
        if (packages.isEmpty()) {
            return graph;
        }
        String ours =
                packages.stream()
                        .map(p -> p.isEmpty() ? "[^.]+" : Pattern.quote(p) + "\\.[^.]+")
                        .collect(Collectors.joining("|", "(", ")"));
        mainClasses.forEach(c -> graph.edges.computeIfAbsent(packageOf(c), k -> new TreeMap<>()));
        testClasses.forEach(
                c -> graph.edges.computeIfAbsent(packageOf(c) + TESTS, k -> new TreeMap<>()));
        for (String[] edge : jdeps(mainRoots, ours)) {
            graph.add(packageOf(edge[0]), packageOf(edge[1]), edge);
        }
        for (String[] edge : jdeps(testRoots, ours)) {
            String target = packageOf(edge[1]) + (testClasses.contains(edge[1]) ? TESTS : "");
            graph.add(packageOf(edge[0]) + TESTS, target, edge);
        }
        return graph;
    }

    private void add(String from, String to, String[] example) {
        if (!from.equals(to)) {
            edges.computeIfAbsent(from, k -> new TreeMap<>())
                    .putIfAbsent(to, example[0] + " -> " + example[1]);
        }
        edges.computeIfAbsent(to, k -> new TreeMap<>());
    }

    /**
     * @return every node (package) of the graph
     */
    Set<String> packages() {
        return edges.keySet();
    }

    /**
     * @param from a package
     * @param to another
     * @return whether {@code from} depends on {@code to} directly
     */
    boolean dependsOn(String from, String to) {
        return edges.getOrDefault(from, Map.of()).containsKey(to);
    }

    /**
     * The cycles: each set of packages that depend on each other, directly or through others (a
     * strongly connected component of more than one package), sorted.
     *
     * @return the cycles, each sorted, in order of their first package
     */
    List<List<String>> cycles() {
        // Tarjan's algorithm, iterative.
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<List<String>> cycles = new ArrayList<>();
        int[] counter = {0};
        for (String start : edges.keySet()) {
            if (index.containsKey(start)) {
                continue;
            }
            Deque<Map.Entry<String, java.util.Iterator<String>>> work = new ArrayDeque<>();
            visit(start, index, low, stack, onStack, counter, work);
            while (!work.isEmpty()) {
                Map.Entry<String, java.util.Iterator<String>> top = work.peek();
                String v = top.getKey();
                if (top.getValue().hasNext()) {
                    String w = top.getValue().next();
                    if (!index.containsKey(w)) {
                        visit(w, index, low, stack, onStack, counter, work);
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = work.peek().getKey();
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    List<String> component = new ArrayList<>();
                    String w;
                    do {
                        w = stack.pop();
                        onStack.remove(w);
                        component.add(w);
                    } while (!w.equals(v));
                    if (component.size() > 1) {
                        component.sort(null);
                        cycles.add(component);
                    }
                }
            }
        }
        cycles.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        return cycles;
    }

    private void visit(
            String v,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            int[] counter,
            Deque<Map.Entry<String, java.util.Iterator<String>>> work) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        work.push(Map.entry(v, edges.getOrDefault(v, Map.of()).keySet().iterator()));
    }

    /**
     * @param cycle packages of one cycle
     * @return the dependences between them, one a line, each with a class-level example
     */
    String describe(List<String> cycle) {
        StringBuilder text = new StringBuilder();
        for (String from : cycle) {
            edges.getOrDefault(from, Map.of())
                    .forEach(
                            (to, example) -> {
                                if (cycle.contains(to)) {
                                    text.append("\n  ")
                                            .append(from)
                                            .append(" -> ")
                                            .append(to)
                                            .append("   (")
                                            .append(example)
                                            .append(")");
                                }
                            });
        }
        return text.toString();
    }

    /** The class-level dependences jdeps finds in the roots, on classes matching {@code ours}. */
    private static List<String[]> jdeps(List<Path> roots, String ours) {
        List<String[]> found = new ArrayList<>();
        if (roots.isEmpty()) {
            return found;
        }
        ToolProvider jdeps =
                ToolProvider.findFirst("jdeps")
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "no jdeps in this JDK (module jdk.jdeps)"));
        List<String> args = new ArrayList<>(List.of("-verbose:class", "-e", ours));
        roots.forEach(root -> args.add(root.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        if (code != 0) {
            throw new IllegalStateException("jdeps " + args + " exited " + code + ": " + err + out);
        }
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.matches()) {
                found.add(new String[] {m.group(1), m.group(2)});
            }
        }
        return found;
    }

    /** The binary names of the classes in directories of class files. */
    private static Set<String> classes(List<Path> roots) {
        Set<String> names = new HashSet<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(f -> f.toString().endsWith(".class"))
                        .forEach(
                                f -> {
                                    String relative = root.relativize(f).toString();
                                    String name =
                                            relative.substring(
                                                            0,
                                                            relative.length() - ".class".length())
                                                    .replace(
                                                            root.getFileSystem().getSeparator(),
                                                            ".");
                                    if (!name.endsWith("package-info")
                                            && !name.endsWith("module-info")) {
                                        names.add(name);
                                    }
                                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    private static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }
}
