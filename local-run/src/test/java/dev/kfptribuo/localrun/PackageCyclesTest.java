package dev.kfptribuo.localrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.NodeList;

/**
 * No two packages depend on each other, directly or through others, in any module: the main classes
 * of every module of the parent pom as one graph (stock-tribuo, components, the images,
 * component-yaml, local-run), and their test classes (test packages apart from main ones, see
 * {@link PackageGraph}). The dependences are jdeps's, read from the class files the reactor built
 * ({@code <module>/target/classes} and {@code target/test-classes}); local-run is built last, so
 * they are all there when its tests run.
 */
class PackageCyclesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir Path tmp;

    @Test
    void noPackageCycleInAnyModule() throws Exception {
        List<Path> main = new ArrayList<>();
        List<Path> tests = new ArrayList<>();
        for (String module : modules()) {
            Path target = ROOT.resolve(module).resolve("target");
            if (Files.isDirectory(ROOT.resolve(module).resolve("src/main/java"))) {
                assertTrue(
                        Files.isDirectory(target.resolve("classes")),
                        module
                                + " is not built: no "
                                + target.resolve("classes")
                                + " (build with the reactor, e.g. ./mvnw -pl local-run -am verify)");
                main.add(target.resolve("classes"));
            }
            if (Files.isDirectory(target.resolve("test-classes"))) {
                tests.add(target.resolve("test-classes"));
            }
        }
        PackageGraph graph = PackageGraph.scan(main, tests);
        assertTrue(
                graph.packages().contains("dev.kfptribuo.localrun"),
                "local-run's classes are scanned: " + graph.packages());
        assertTrue(
                graph.packages().contains("dev.kfptribuo.componentyaml"),
                graph.packages().toString());
        assertTrue(graph.packages().contains("dev.kfptribuo.serving"), graph.packages().toString());
        assertTrue(graph.packages().contains("stocktribuo"), graph.packages().toString());
        assertTrue(
                graph.dependsOn("dev.kfptribuo.localrun.registry", "dev.kfptribuo.registry"),
                "edges across modules");
        List<List<String>> cycles = graph.cycles();
        if (!cycles.isEmpty()) {
            StringBuilder message = new StringBuilder("package cycles:");
            for (List<String> cycle : cycles) {
                message.append("\n").append(cycle).append(graph.describe(cycle));
            }
            fail(message.toString());
        }
    }

    @Test
    void aCycleIsFoundDirectOrThroughOtherPackages() throws IOException {
        Path classes =
                compile(
                        "main",
                        Map.of(
                                "a/A.java", "package a; public class A { b.B b; }",
                                "b/B.java",
                                        "package b; public class B { public static a.A make() { return null; } }",
                                "c/C.java", "package c; public class C { d.D d; }",
                                "d/D.java", "package d; public class D { e.E e; }",
                                "e/E.java",
                                        "package e; public class E { java.util.List<c.C> all; }",
                                "f/F.java", "package f; public class F { a.A a; c.C c; }"));
        PackageGraph graph = PackageGraph.scan(List.of(classes), List.of());
        assertEquals(List.of(List.of("a", "b"), List.of("c", "d", "e")), graph.cycles());
        String described = graph.describe(List.of("a", "b"));
        assertTrue(
                described.contains("a -> b   (a.A -> b.B)")
                        && described.contains("b -> a   (b.B -> a.A)"),
                described);
    }

    @Test
    void noCycleWithoutOneAndTestPackagesStandApart() throws IOException {
        Path classes =
                compile(
                        "main",
                        Map.of(
                                "a/A.java", "package a; public class A { b.B b; }",
                                "b/B.java", "package b; public class B { }"));
        // A test of b using a fixture package that uses a's main classes: no cycle of main
        // packages.
        Path tests =
                compile(
                        "test",
                        Map.of(
                                "b/BTest.java", "package b; class BTest { fixture.Fixture f; }",
                                "fixture/Fixture.java",
                                        "package fixture; public class Fixture { a.A a; }"),
                        classes);
        PackageGraph graph = PackageGraph.scan(List.of(classes), List.of(tests));
        assertEquals(List.of(), graph.cycles());
        assertTrue(graph.dependsOn("b" + PackageGraph.TESTS, "fixture" + PackageGraph.TESTS));
        assertTrue(graph.dependsOn("fixture" + PackageGraph.TESTS, "a"));

        // Two test packages using each other are a cycle.
        Path cyclic =
                compile(
                        "cyclic",
                        Map.of(
                                "x/X.java", "package x; public class X { y.Y y; }",
                                "y/Y.java", "package y; public class Y { x.X x; a.A a; }"),
                        classes);
        assertEquals(
                List.of(List.of("x" + PackageGraph.TESTS, "y" + PackageGraph.TESTS)),
                PackageGraph.scan(List.of(classes), List.of(cyclic)).cycles());
    }

    /** The modules of the parent pom, in its order. */
    private static List<String> modules() throws Exception {
        NodeList nodes =
                DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(ROOT.resolve("pom.xml").toFile())
                        .getElementsByTagName("module");
        List<String> modules = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            modules.add(nodes.item(i).getTextContent().strip());
        }
        assertTrue(
                modules.contains("local-run") && modules.contains("components"),
                modules.toString());
        return modules;
    }

    private Path compile(String name, Map<String, String> sources, Path... classpath)
            throws IOException {
        Path src = tmp.resolve(name + "-src");
        Path out = tmp.resolve(name + "-classes");
        Files.createDirectories(out);
        List<String> args = new ArrayList<>(List.of("-d", out.toString()));
        if (classpath.length > 0) {
            args.addAll(List.of("-cp", classpath[0].toString()));
        }
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue(), StandardCharsets.UTF_8);
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "javac " + args);
        return out;
    }
}
