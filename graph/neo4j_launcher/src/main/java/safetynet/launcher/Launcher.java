package safetynet.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Neo4j 5 Community, embedded: the server of {@code embedded-neo4j://PATH} (graph/neo4j_embedded.py).
 *
 * <p>Arguments: {@code --home DIR --port PORT --pagecache SIZE --transaction-total SIZE --transaction-max SIZE}.
 * The password of the user {@code neo4j} is the first line of standard input: neither the command line nor
 * the environment shows it to {@code ps}. Bolt listens on 127.0.0.1:PORT only (no HTTP), with authentication;
 * once it does the launcher prints {@code READY bolt://127.0.0.1:PORT}. SIGTERM shuts the databases down cleanly.
 *
 * <p>A new password (a first start, whose user neo4j still has the default one) is set while Bolt is closed,
 * so nobody can log in meanwhile: the DBMS starts once without Bolt for that. A salted hash of the password
 * set last, kept in {@code HOME/data}, spares re-starts with the same password that extra start.
 */
public final class Launcher {
    private static final String HOST = "127.0.0.1";
    private static final String[] REQUIRED = {"home", "port", "pagecache", "transaction-total", "transaction-max"};

    private Launcher() {
    }

    public static void main(String[] args) {
        AtomicReference<DatabaseManagementService> running = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            DatabaseManagementService service = running.getAndSet(null);
            if (service != null) {
                service.shutdown();
                System.out.println("STOPPED");
            }
        }));
        try {
            Map<String, String> options = parse(args);
            Path home = Path.of(options.get("home")).toAbsolutePath();
            int port = Integer.parseInt(options.get("port"));
            String password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (password == null || password.isBlank()) {
                throw new IllegalArgumentException("no password on standard input");
            }
            Path setLast = home.resolve("data").resolve("safetynet-password.sha256");
            if (!isSetAlready(setLast, password)) {
                running.set(builder(home, port, options, false).build());
                setPassword(running.get(), password);
                running.getAndSet(null).shutdown();
                remember(setLast, password);
            }
            running.set(builder(home, port, options, true).build());
            System.out.println("READY bolt://" + HOST + ":" + port);
            System.out.flush();
            new CountDownLatch(1).await();  // until SIGTERM runs the shutdown hook
        } catch (Throwable failure) {  // Neo4j's threads would keep a failed JVM alive: exit
            failure.printStackTrace();
            System.exit(1);
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        for (String name : REQUIRED) {
            if (!options.containsKey(name)) {
                throw new IllegalArgumentException("missing --" + name);
            }
        }
        return options;
    }

    private static DatabaseManagementServiceBuilder builder(
            Path home, int port, Map<String, String> options, boolean bolt) {
        return new DatabaseManagementServiceBuilder(home)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(BoltConnector.enabled, bolt)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)  // no usage reports sent to Neo4j
                // Bolt's shutdown waits 5 s twice for idle threads, after the databases are already closed
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(200))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(200))
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(options.get("pagecache")))
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size,
                        ByteUnit.parse(options.get("transaction-total")))
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size,
                        ByteUnit.parse(options.get("transaction-max")));
    }

    /**
     * Set the user neo4j's password on the system database. Neo4j refuses to set the password it already
     * has (the hash file lost, say): passing through a random one first makes that case no different.
     */
    private static void setPassword(DatabaseManagementService service, String password) {
        var system = service.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        String alter = "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED";
        system.executeTransactionally(alter, Map.of("password", HexFormat.of().formatHex(randomBytes(32))));
        system.executeTransactionally(alter, Map.of("password", password));
    }

    private static boolean isSetAlready(Path file, String password) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        String[] saltAndHash = Files.readString(file, StandardCharsets.UTF_8).strip().split(":");
        return saltAndHash.length == 2 && MessageDigest.isEqual(
                saltAndHash[1].getBytes(StandardCharsets.US_ASCII),
                hash(HexFormat.of().parseHex(saltAndHash[0]), password).getBytes(StandardCharsets.US_ASCII));
    }

    private static void remember(Path file, String password) throws IOException {
        byte[] salt = randomBytes(16);
        Files.writeString(file, HexFormat.of().formatHex(salt) + ":" + hash(salt, password) + "\n",
                StandardCharsets.UTF_8);
    }

    private static String hash(byte[] salt, String password) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt);
            return HexFormat.of().formatHex(digest.digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
