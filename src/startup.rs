//! Building the application: database, migrations, default units, forms, then the HTTP server on a
//! listener the caller bound (port 0 in tests).

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, HttpServer};

use crate::administration::units::{parse_tree, TreeError, DEFAULT_TREE};
use crate::forms::registry::{content_hash, definition_json};
use crate::forms::{FormLoadError, FormRegistry, LoadedForm};
use crate::platform::config::Config;
use crate::platform::keys::ServerKey;
use crate::store::{self, StoreError};
use crate::web::state::AppState;
use crate::{auth, web as routes};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("forms in {dir}:\n{source}")]
    Forms { dir: String, source: FormLoadError },
    #[error(transparent)]
    Units(#[from] TreeError),
    #[error(transparent)]
    Key(#[from] crate::platform::keys::KeyError),
    #[error("the key file {path} is not the one this database was used with, and used invitations are recorded under the old key: restore the old key file (or set SIPAS_KEY_FILE to it)")]
    KeyMismatch { path: String },
    #[error("{0}")]
    Other(String),
}

/// Opens the database, runs migrations, loads the default unit tree into an empty database, and
/// loads the forms (a form whose content changed is stored as a new version).
pub async fn prepare(config: Config) -> Result<AppState, StartupError> {
    let config = Arc::new(config);
    let cfg = config.clone();
    let (pool, registry, keys) = web::block(move || -> Result<_, StartupError> {
        let pool = store::open_pool(&cfg.database_url, cfg.db_pool)?;
        let mut conn = pool.get().map_err(StoreError::from)?;
        for name in store::run_migrations(&mut conn)? {
            tracing::info!(migration = %name, "applied migration");
        }
        let keys = open_key(&mut conn, &cfg)?;
        let seeded =
            store::units::seed_if_empty(&mut conn, &parse_tree(DEFAULT_TREE, store::now_utc())?)?;
        if seeded > 0 {
            tracing::info!(units = seeded, "loaded the default unit tree");
        }
        let forms =
            crate::forms::load_dir(&cfg.forms_dir).map_err(|source| StartupError::Forms {
                dir: cfg.forms_dir.display().to_string(),
                source,
            })?;
        let mut loaded = Vec::new();
        for form in forms {
            let definition = definition_json(&form);
            let hash = content_hash(&definition);
            let version = store::forms::register_version(&mut conn, &form.id, &hash, &definition)?;
            tracing::info!(form = %form.id, version, "form loaded");
            loaded.push(LoadedForm::new(form, version, hash));
        }
        Ok((pool, FormRegistry::new(loaded), keys))
    })
    .await
    .map_err(|e| StartupError::Other(e.to_string()))??;

    let dummy_hash = web::block(|| auth::hash_password(&uuid::Uuid::new_v4().to_string()))
        .await
        .map_err(|e| StartupError::Other(e.to_string()))?
        .map_err(|e| StartupError::Other(e.to_string()))?;

    Ok(AppState::new(pool, registry, config, dummy_hash, keys))
}

/// Loads (or creates) the secret key file and checks it against the value the database keeps of
/// the key it was used with. Another key is refused while used invitations are recorded under
/// the old one (they would all look unused); otherwise it is taken, with a warning.
fn open_key(conn: &mut store::DbConnection, config: &Config) -> Result<ServerKey, StartupError> {
    let path = config.key_path();
    let keys = ServerKey::load_or_create(&path)?;
    let check = keys.check_value();
    match store::settings::get(conn, KEY_CHECK)? {
        Some(stored) if stored == check => {}
        Some(_) if store::invitations::uses_recorded(conn)? => {
            return Err(StartupError::KeyMismatch {
                path: path.display().to_string(),
            })
        }
        previous => {
            if previous.is_some() {
                tracing::warn!(path = %path.display(), "a new secret key: staff sessions' CSRF tokens and device cookies made under the old one no longer match");
            }
            store::settings::put(conn, KEY_CHECK, &check)?;
        }
    }
    Ok(keys)
}

/// The `settings` entry that recognises the secret key.
const KEY_CHECK: &str = "key_check";

/// Starts serving on `listener`. The returned server stops gracefully on SIGTERM/SIGINT,
/// finishing requests in flight (up to 30 s).
pub fn run(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    // A request's head must arrive within 5 s (actix's default) or the body timeout if shorter;
    // its body within the body timeout (`extract::read_body`): a client trickling bytes cannot
    // hold a connection and a worker's attention for longer.
    let head_timeout = state
        .config
        .body_timeout()
        .min(std::time::Duration::from_secs(5));
    let server = HttpServer::new(move || routes::app(state.clone()))
        .client_request_timeout(head_timeout)
        .listen(listener)?
        // Longer than actix's 5 s: a phone or kiosk reusing a connection should not race its
        // close (the usual reverse-proxy value).
        .keep_alive(std::time::Duration::from_secs(75))
        .shutdown_timeout(30)
        .run();
    Ok(server)
}

/// A prepared application bound to a port: what `sipas serve` runs and what tests start.
pub struct Application {
    pub port: u16,
    pub server: Server,
}

impl Application {
    pub async fn build(mut config: Config, bind: &str) -> Result<Application, StartupError> {
        let listener = TcpListener::bind(bind)
            .map_err(|e| StartupError::Other(format!("cannot listen on {bind}: {e}")))?;
        let bound = listener
            .local_addr()
            .map_err(|e| StartupError::Other(e.to_string()))?;
        let port = bound.port();
        config.resolve_allowed_hosts(bound);
        let state = prepare(config).await?;
        // Comment retention: a purge now, then once a day (SIPAS_COMMENT_RETENTION_DAYS).
        crate::service::retention::spawn_daily(
            state.pool.clone(),
            state.forms.clone(),
            state.config.comment_retention_days,
            state.config.tz,
        );
        warm_report_cache(&state);
        let server = run(listener, state).map_err(|e| StartupError::Other(e.to_string()))?;
        Ok(Application { port, server })
    }
}

/// Loads every form's responses into the report cache on a thread of its own, so that the first
/// report after a start does not wait for it (a report that comes first waits for the load of its
/// form, then reads the cache).
fn warm_report_cache(state: &AppState) {
    let Some(cache) = state.report_cache.clone() else {
        return;
    };
    let pool = state.pool.clone();
    let forms = state.forms.clone();
    let tz = state.config.tz;
    let spawned = std::thread::Builder::new()
        .name("report-cache".into())
        .spawn(move || {
            for loaded in forms.all() {
                let started = std::time::Instant::now();
                let loaded_rows = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
                    cache
                        .warm(&mut conn, &loaded.form, tz)
                        .map_err(|e| e.to_string())
                });
                match loaded_rows {
                    Ok(rows) => tracing::info!(
                        form = %loaded.form.id,
                        responses = rows,
                        ms = started.elapsed().as_millis() as u64,
                        "report cache loaded"
                    ),
                    Err(e) => {
                        tracing::warn!(form = %loaded.form.id, "report cache not loaded: {e}")
                    }
                }
            }
            crate::platform::memory::release_freed();
        });
    if let Err(e) = spawned {
        tracing::warn!("report cache: no thread to load it at start ({e}); reports load it");
    }
}
