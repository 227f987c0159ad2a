//! What only PostgreSQL has: a server that can be unreachable, connections the server ends, a
//! URL with a password in it.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use secrecy::SecretString;
use sqlx::postgres::PgConnectOptions;
use synerise_auth_store::{
    AccountStore, DecisionLog, PostgresOptions, PostgresStore, SessionStore, Store,
};
use tokio::{net::TcpListener, task::JoinHandle};

use crate::{
    faults::{QUICK, all_decisions, assert_unavailable, decision},
    helpers::{ABSOLUTE, IDLE, PASSWORD, T0, TestDatabase, email, password},
};

#[tokio::test]
async fn an_unreachable_server_is_refused_without_showing_the_password() {
    // Port 1 on loopback: nothing listens there.
    let url = SecretString::from("postgres://auth:s3cret-Pa55@127.0.0.1:1/auth");
    let options = PostgresOptions {
        max_connections: 2,
        acquire_timeout: Duration::from_millis(500),
    };
    let started = Instant::now();
    let err = PostgresStore::connect(&url, options).await.unwrap_err();
    assert_eq!(err.code(), "store_connect_failed", "{err:?}");
    assert!(started.elapsed() < QUICK, "{:?}", started.elapsed());
    let mut shown = format!("{err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        shown.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    assert!(!shown.contains("s3cret-Pa55"), "{shown}");
}

#[tokio::test]
async fn a_url_that_is_not_one_is_refused() {
    for url in [
        "postgres://auth:pw@127.0.0.1:notaport/auth",
        "mysql://x@y/z",
    ] {
        let err = PostgresStore::connect(&SecretString::from(url), PostgresOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_connect_failed", "{url}: {err:?}");
        assert!(!format!("{err} {err:?}").contains("pw@"), "{err:?}");
    }
}

/// The server ends every connection of the store (`pg_terminate_backend`, as a restart or an
/// operator would): the pool replaces them by itself, and everything acknowledged is kept.
#[tokio::test]
async fn terminated_connections_are_replaced_and_nothing_acknowledged_is_lost() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    let store = PostgresStore::connect(&database.url(), PostgresOptions::default())
        .await
        .unwrap();
    let ann = AccountStore::create(&store, &email("ann@example.com"), &password(PASSWORD), T0)
        .await
        .unwrap();
    let mut acknowledged = Vec::new();
    for round in 0..3 {
        acknowledged.push(store.record(&decision(round)).await.unwrap());
        let mut admin = database.connect().await;
        let ended: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_all(&mut admin)
        .await
        .unwrap();
        assert!(!ended.is_empty(), "the store had no connection open");
        // The next calls get fresh connections: answered, or refused as unavailable, never
        // another error; and the store works again within a moment.
        let started = Instant::now();
        loop {
            match store.record(&decision(100 + round)).await {
                Ok(id) => {
                    acknowledged.push(id);
                    break;
                }
                Err(e) => assert_eq!(e.code(), "storage_unavailable", "{e:?}"),
            }
            assert!(started.elapsed() < QUICK, "no recovery");
        }
        SessionStore::create(&store, ann, T0, IDLE, ABSOLUTE)
            .await
            .unwrap();
    }
    store.close().await;
    let again = PostgresStore::connect(&database.url(), PostgresOptions::default())
        .await
        .unwrap();
    let mut kept: Vec<_> = DecisionLog::list(&again, &all_decisions())
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    kept.sort();
    acknowledged.sort();
    assert_eq!(kept, acknowledged);
}

/// The database goes away (the network between, or the server, is down): every call is refused
/// quickly as unavailable, nothing refused is kept, nothing acknowledged is lost, and the store
/// works again by itself, without a restart, once the database answers.
#[tokio::test]
async fn a_database_that_goes_away_is_unavailable_and_the_store_recovers() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    let proxy = Proxy::start(&database).await;
    let options = PostgresOptions {
        max_connections: 4,
        acquire_timeout: Duration::from_millis(500),
    };
    let store: Arc<dyn Store> =
        Arc::new(PostgresStore::connect(&proxy.url, options).await.unwrap());
    let ann = AccountStore::create(
        store.as_ref(),
        &email("ann@example.com"),
        &password(PASSWORD),
        T0,
    )
    .await
    .unwrap();
    let (token, _) = SessionStore::create(store.as_ref(), ann, T0, IDLE, ABSOLUTE)
        .await
        .unwrap();
    let mut acknowledged = vec![store.record(&decision(0)).await.unwrap()];

    proxy.cut();
    for n in 1..=4 {
        let started = Instant::now();
        let result = store.record(&decision(n)).await;
        assert_unavailable(&result, started);
    }
    let started = Instant::now();
    let result = store.lookup(&token, T0).await;
    assert_unavailable(&result, started);
    let started = Instant::now();
    let result = AccountStore::create(
        store.as_ref(),
        &email("bob@example.com"),
        &password(PASSWORD),
        T0,
    )
    .await;
    assert_unavailable(&result, started);

    proxy.restore();
    let started = Instant::now();
    let id = loop {
        match store.record(&decision(100)).await {
            Ok(id) => break id,
            Err(e) => assert_eq!(e.code(), "storage_unavailable", "{e:?}"),
        }
        assert!(started.elapsed() < QUICK * 2, "no recovery");
    };
    acknowledged.push(id);
    assert!(store.lookup(&token, T0).await.unwrap().is_some());
    store.close().await;

    let direct = PostgresStore::connect(&database.url(), PostgresOptions::default())
        .await
        .unwrap();
    let kept: Vec<_> = DecisionLog::list(&direct, &all_decisions())
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .rev()
        .collect();
    assert_eq!(kept, acknowledged);
    let accounts = AccountStore::list(&direct).await.unwrap();
    assert_eq!(accounts.len(), 1, "the refused sign-up was kept");
}

/// A TCP relay between the store and the server that can be cut (every connection closed, new
/// ones closed at once) and restored: the database "going away" without touching a server other
/// tests share.
struct Proxy {
    url: SecretString,
    down: Arc<AtomicBool>,
    relays: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    async fn start(database: &TestDatabase) -> Self {
        use secrecy::ExposeSecret as _;
        let target = database.url();
        let options: PgConnectOptions = target.expose_secret().parse().unwrap();
        let upstream = format!("{}:{}", options.get_host(), options.get_port());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let relays = Arc::new(Mutex::new(Vec::<JoinHandle<()>>::new()));
        let accept = tokio::spawn({
            let down = Arc::clone(&down);
            let relays = Arc::clone(&relays);
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    if down.load(Ordering::SeqCst) {
                        continue; // dropped: closed at once
                    }
                    let upstream = upstream.clone();
                    let relay = tokio::spawn(async move {
                        if let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    relays.lock().unwrap().push(relay);
                }
            }
        });
        let url = target
            .expose_secret()
            .replacen(
                &format!(":{}/", options.get_port()),
                &format!(":{port}/"),
                1,
            )
            .replacen(&format!("@{}:", options.get_host()), "@127.0.0.1:", 1);
        assert!(
            url.contains(&format!(":{port}/")),
            "cannot point {url} at the proxy"
        );
        Self {
            url: SecretString::from(url),
            down,
            relays,
            accept,
        }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for relay in self.relays.lock().unwrap().drain(..) {
            relay.abort();
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}
