package breachwire.searchnode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.opensearch.action.admin.cluster.node.info.NodeInfo;
import org.opensearch.action.admin.cluster.node.info.NodesInfoResponse;
import org.opensearch.http.HttpInfo;

/**
 * Runs one OpenSearch node in this JVM, bound to 127.0.0.1, until the process
 * is terminated (SIGTERM closes the node cleanly through a shutdown hook).
 *
 * <pre>
 * Main --home DIR --port N [--cluster-name NAME] [--url-file FILE]
 * </pre>
 *
 * The node keeps its data, logs and config under DIR. With {@code --port 0}
 * the operating system picks the HTTP port. Once the HTTP server is bound,
 * the node's URL (http://127.0.0.1:PORT) is written atomically to FILE.
 * Only the runner's built-in modules are loaded: no security plugin, plain HTTP.
 */
public final class Main {

	private Main() {
	}

	public static void main(final String[] args) {
		String home = null;
		String port = "9200";
		String clusterName = "breachwire-search";
		String urlFile = null;
		for (int i = 0; i < args.length; i++) {
			final String value = i + 1 < args.length ? args[i + 1] : null;
			switch (args[i]) {
			case "--home" -> home = value;
			case "--port" -> port = value;
			case "--cluster-name" -> clusterName = value;
			case "--url-file" -> urlFile = value;
			default -> usage("unknown argument " + args[i]);
			}
			if (value == null) {
				usage(args[i] + " needs a value");
			}
			i++;
		}
		if (home == null) {
			usage("--home is required");
		}
		try {
			Integer.parseInt(port);
		} catch (final NumberFormatException e) {
			usage("--port must be a number");
		}

		final OpenSearchRunner runner = new OpenSearchRunner();
		// The runner probes for a free port above its base port; we want the
		// port we were given (or a bind error), so switch the probing off.
		runner.setMaxHttpPort(-1);
		final String httpPort = port;
		runner.onBuild((index, settings) -> {
			settings.put("node.name", "search-node");
			settings.put("http.port", httpPort);
			settings.put("network.host", "127.0.0.1");
			settings.put("discovery.type", "single-node");
			// A test node on a shared disk: do not refuse shards when the disk is nearly full.
			settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
		});

		final CountDownLatch closed = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			try {
				runner.close();
			} catch (final Exception e) {
				System.err.println("search-node: closing the node: " + e);
			} finally {
				closed.countDown();
			}
		}, "search-node-shutdown"));

		try {
			runner.build(OpenSearchRunner.newConfigs()
					.basePath(home)
					.numOfNode(1)
					.clusterName(clusterName)
					.printOnFailure());
			final int boundPort = httpPort(runner);
			final String url = "http://127.0.0.1:" + boundPort;
			System.out.println("search-node: listening on " + url);
			if (urlFile != null) {
				final Path target = Path.of(urlFile);
				final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
				Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
				Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
		} catch (final Throwable e) {
			System.err.println("search-node: the node did not start: " + e);
			e.printStackTrace();
			System.exit(1);
		}

		try {
			closed.await();
		} catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	/** The HTTP port the node actually bound (differs from the setting with --port 0). */
	private static int httpPort(final OpenSearchRunner runner) {
		final NodesInfoResponse info = runner.admin().cluster().prepareNodesInfo().clear()
				.addMetric("http").get();
		for (final NodeInfo node : info.getNodes()) {
			final HttpInfo http = node.getInfo(HttpInfo.class);
			if (http != null) {
				return http.address().publishAddress().getPort();
			}
		}
		throw new IllegalStateException("the node reports no HTTP address");
	}

	private static void usage(final String problem) {
		System.err.println("search-node: " + problem);
		System.err.println("usage: Main --home DIR --port N [--cluster-name NAME] [--url-file FILE]");
		System.exit(2);
	}
}
