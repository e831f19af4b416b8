//! The one place that turns a URI into an `object_store` store and path. Every read and write of
//! the pipeline goes through [`Storage`]: a plain path or `file://` (local), `s3://bucket/prefix`,
//! `gs://bucket/prefix`.
//!
//! Environment (the users' runbook, exactly): `DATASET_STORAGE_BACKEND` = `local|s3|gcs`;
//! `OVH_S3_BUCKET`, `OVH_S3_REGION`, `OVH_S3_ENDPOINT`, `OVH_S3_ACCESS_KEY`, `OVH_S3_SECRET_KEY`
//! (preferred); `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (fallback);
//! `DATASET_PIPELINE_OUTPUT_DIR`. Secret values are never printed.
//!
//! Local writes are atomic (object_store writes a temporary file and renames it). Create-only
//! writes use `PutMode::Create` (`If-None-Match: *` on S3).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjPath;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

mod local;

use crate::error::{Error, Result};

/// Objects larger than this are uploaded in parts.
pub const MULTIPART_THRESHOLD: usize = 32 << 20;

/// A resolved location: a store, a path inside it, and the URI for messages.
#[derive(Clone)]
pub struct Location {
    store: Arc<dyn ObjectStore>,
    /// Path inside the store.
    pub path: ObjPath,
    /// `file:///abs/path`-free display form: a local absolute path, or `s3://bucket/key`.
    pub uri: String,
    /// URI prefix of the store (`""` for local, `s3://bucket` for S3).
    scheme_root: String,
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.uri)
    }
}

impl Location {
    /// The location of `rel` below this one (`rel` uses `/`).
    pub fn join(&self, rel: &str) -> Location {
        let mut path = self.path.clone();
        for part in rel.split('/').filter(|p| !p.is_empty()) {
            path = path.clone().join(part);
        }
        self.with_path(path)
    }

    fn with_path(&self, path: ObjPath) -> Location {
        let uri = if self.scheme_root.is_empty() {
            format!("/{path}")
        } else {
            format!("{}/{path}", self.scheme_root)
        };
        Location {
            store: Arc::clone(&self.store),
            path,
            uri,
            scheme_root: self.scheme_root.clone(),
        }
    }

    /// True when this location is on the local file system.
    pub fn is_local(&self) -> bool {
        self.scheme_root.is_empty()
    }
}

/// One object found by [`Storage::list`]: its path in the store and its size.
#[derive(Debug, Clone)]
pub struct Listed {
    pub location: ObjPath,
    pub size: u64,
}

/// One object found by [`Storage::glob`].
#[derive(Debug, Clone)]
pub struct Object {
    pub location: Location,
    /// Path relative to the glob's literal root, with `/` separators.
    pub rel: String,
    pub size: u64,
}

/// S3 settings: from the runbook's variables ([`S3Settings::from_env`]) or given explicitly.
#[derive(Clone, Default)]
pub struct S3Settings {
    pub endpoint: Option<String>,
    /// The variable the endpoint came from (for messages).
    pub endpoint_var: &'static str,
    pub region: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub session_token: Option<String>,
    /// Give up retrying a request after this long (default 180 s;
    /// `$TRAINREADY_RETRY_TIMEOUT_SECS`).
    pub retry_timeout: std::time::Duration,
    /// Retries per request (default 10; `$TRAINREADY_MAX_RETRIES`).
    pub max_retries: usize,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key values.
        f.debug_struct("S3Settings")
            .field(
                "endpoint",
                &self.endpoint.as_deref().map(crate::error::without_userinfo),
            )
            .field("region", &self.region)
            .field("access_key", &self.access_key.as_ref().map(|_| "<set>"))
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl S3Settings {
    /// OVH variables first, AWS ones as the fallback.
    pub fn from_env() -> Self {
        let (access_key, secret_key, session_token) =
            match (env("OVH_S3_ACCESS_KEY"), env("OVH_S3_SECRET_KEY")) {
                (Some(k), Some(s)) => (Some(k), Some(s), None),
                _ => (
                    env("AWS_ACCESS_KEY_ID"),
                    env("AWS_SECRET_ACCESS_KEY"),
                    env("AWS_SESSION_TOKEN"),
                ),
            };
        let (endpoint, endpoint_var) = match (env("OVH_S3_ENDPOINT"), env("AWS_ENDPOINT_URL")) {
            (Some(e), _) => (Some(e), "OVH_S3_ENDPOINT"),
            (None, Some(e)) => (Some(e), "AWS_ENDPOINT_URL"),
            (None, None) => (None, "OVH_S3_ENDPOINT"),
        };
        Self {
            endpoint,
            endpoint_var,
            region: env("OVH_S3_REGION").or_else(|| env("AWS_REGION")),
            access_key,
            secret_key,
            session_token,
            retry_timeout: std::time::Duration::from_secs(
                env("TRAINREADY_RETRY_TIMEOUT_SECS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(180),
            ),
            max_retries: env("TRAINREADY_MAX_RETRIES")
                .and_then(|v| v.parse().ok())
                .unwrap_or(10),
        }
    }

    /// Check the endpoint before any request: a URL with an `http` or `https` scheme and a
    /// host (an endpoint without a scheme would otherwise fail deep in the HTTP client).
    pub fn validate(&self) -> Result<()> {
        let Some(endpoint) = &self.endpoint else {
            return Ok(());
        };
        let shown = crate::error::echo(&crate::error::without_userinfo(endpoint));
        let bad = |why: &str| {
            Err(Error::Usage(format!(
                "{} `{shown}` {why}: write it as a URL, e.g. https://s3.gra.io.cloud.ovh.net",
                self.endpoint_var
            )))
        };
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return bad("has no http:// or https:// scheme");
        }
        match url::Url::parse(endpoint) {
            Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
            Ok(_) => bad("has no host"),
            Err(_) => bad("is not a valid URL"),
        }
    }

    fn builder(&self, bucket: &str) -> object_store::aws::AmazonS3Builder {
        let retry = object_store::RetryConfig {
            max_retries: self.max_retries,
            retry_timeout: self.retry_timeout,
            ..Default::default()
        };
        let mut b = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(self.region.clone().unwrap_or_else(|| "us-east-1".into()))
            .with_retry(retry)
            .with_client_options(
                object_store::ClientOptions::new()
                    .with_connect_timeout(std::time::Duration::from_secs(10))
                    .with_timeout(std::time::Duration::from_secs(300)),
            );
        if let Some(endpoint) = &self.endpoint {
            b = b
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        if let (Some(k), Some(s)) = (&self.access_key, &self.secret_key) {
            b = b.with_access_key_id(k).with_secret_access_key(s);
        }
        if let Some(t) = &self.session_token {
            b = b.with_token(t);
        }
        b
    }
}

/// Object storage access with a private async runtime; the methods block.
pub struct Storage {
    rt: tokio::runtime::Runtime,
    stores: Mutex<BTreeMap<String, Arc<dyn ObjectStore>>>,
    local: Arc<dyn ObjectStore>,
    s3: S3Settings,
}

impl Storage {
    /// Storage configured from the environment (the runbook's variables).
    pub fn new() -> Result<Self> {
        Self::with_s3(S3Settings::from_env())
    }

    /// Storage with explicit S3 settings.
    pub fn with_s3(s3: S3Settings) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the I/O runtime: {e}")))?;
        Ok(Self {
            rt,
            stores: Mutex::new(BTreeMap::new()),
            local: Arc::new(LocalFileSystem::new()),
            s3,
        })
    }

    /// Resolve a URI (a path, `file://`, `s3://`, `gs://`) to a location.
    pub fn locate(&self, uri: &str) -> Result<Location> {
        if let Some(rest) = uri.strip_prefix("s3://") {
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            let store = self.remote_store("s3", bucket)?;
            return remote_location(store, "s3", bucket, key, uri);
        }
        if let Some(rest) = uri.strip_prefix("gs://") {
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            let store = self.remote_store("gs", bucket)?;
            return remote_location(store, "gs", bucket, key, uri);
        }
        if uri.contains("://") && !uri.starts_with("file://") {
            return Err(Error::Usage(format!(
                "unsupported URI scheme in `{uri}`: use a path, file://, s3:// or gs://"
            )));
        }
        let local = uri.strip_prefix("file://").unwrap_or(uri);
        let abs = std::path::absolute(local)
            .map_err(|e| Error::Usage(format!("bad path `{uri}`: {e}")))?;
        let abs = lexical(&abs);
        let path = ObjPath::from_absolute_path(&abs)
            .map_err(|e| Error::Usage(format!("bad path `{uri}`: {e}")))?;
        Ok(Location {
            store: Arc::clone(&self.local),
            uri: abs.to_string_lossy().into_owned(),
            path,
            scheme_root: String::new(),
        })
    }

    fn remote_store(&self, scheme: &str, bucket: &str) -> Result<Arc<dyn ObjectStore>> {
        if bucket.is_empty() {
            return Err(Error::Usage(format!("{scheme}:// URI without a bucket")));
        }
        let key = format!("{scheme}://{bucket}");
        let mut stores = self
            .stores
            .lock()
            .expect("invariant: store cache lock is not poisoned");
        if let Some(s) = stores.get(&key) {
            return Ok(Arc::clone(s));
        }
        if scheme == "s3" {
            self.s3.validate()?;
        }
        let store: Arc<dyn ObjectStore> = match scheme {
            "s3" => Arc::new(
                self.s3
                    .builder(bucket)
                    .build()
                    .map_err(|source| Error::Storage {
                        uri: key.clone(),
                        source,
                    })?,
            ),
            _ => Arc::new(
                object_store::gcp::GoogleCloudStorageBuilder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .map_err(|source| Error::Storage {
                        uri: key.clone(),
                        source,
                    })?,
            ),
        };
        stores.insert(key, Arc::clone(&store));
        Ok(store)
    }

    /// Read a whole object.
    pub fn get(&self, loc: &Location) -> Result<Bytes> {
        self.rt
            .block_on(async { loc.store.get(&loc.path).await?.bytes().await })
            .map_err(|source| Error::Storage {
                uri: loc.uri.clone(),
                source,
            })
    }

    /// A streaming reader over an object's bytes as stored. A local path that is not a regular
    /// file (a FIFO, a socket, a device) is refused instead of read (reading a FIFO would hang).
    pub fn reader(&self, loc: &Location) -> Result<Box<dyn std::io::Read + Send + '_>> {
        if loc.is_local() {
            let path = std::path::Path::new(&loc.uri);
            let meta = std::fs::metadata(path).map_err(|e| Error::Input {
                uri: loc.uri.clone(),
                message: format!("cannot read: {e}"),
            })?;
            if !meta.is_file() {
                return Err(Error::Input {
                    uri: loc.uri.clone(),
                    message: "not a regular file (a FIFO, socket, device or folder): not read"
                        .into(),
                });
            }
            let file = std::fs::File::open(path).map_err(|e| Error::Input {
                uri: loc.uri.clone(),
                message: format!("cannot read: {e}"),
            })?;
            return Ok(Box::new(file));
        }
        let stream = self
            .rt
            .block_on(async { loc.store.get(&loc.path).await.map(|r| r.into_stream()) })
            .map_err(|source| Error::Storage {
                uri: loc.uri.clone(),
                source,
            })?;
        Ok(Box::new(RemoteReader {
            rt: &self.rt,
            stream,
            chunk: Bytes::new(),
        }))
    }

    /// Stream an object and call `f` with batches of whole lines of at least `batch_bytes`
    /// (the last batch may be smaller). Memory: one batch plus one chunk.
    pub fn read_lines_batched(
        &self,
        loc: &Location,
        batch_bytes: usize,
        mut f: impl FnMut(&[u8]),
    ) -> Result<()> {
        use futures::StreamExt;
        let err = |source| Error::Storage {
            uri: loc.uri.clone(),
            source,
        };
        self.rt.block_on(async {
            let mut stream = loc.store.get(&loc.path).await.map_err(err)?.into_stream();
            let mut buf: Vec<u8> = Vec::with_capacity(batch_bytes + (1 << 20));
            while let Some(chunk) = stream.next().await {
                buf.extend_from_slice(&chunk.map_err(err)?);
                if buf.len() >= batch_bytes
                    && let Some(end) = buf.iter().rposition(|b| *b == b'\n')
                {
                    f(&buf[..=end]);
                    buf.drain(..=end);
                }
            }
            if !buf.is_empty() {
                f(&buf);
            }
            Ok(())
        })
    }

    /// Metadata of an object, `None` when it does not exist.
    pub fn head(&self, loc: &Location) -> Result<Option<ObjectMeta>> {
        match self.rt.block_on(loc.store.head(&loc.path)) {
            Ok(meta) => Ok(Some(meta)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(source) => Err(Error::Storage {
                uri: loc.uri.clone(),
                source,
            }),
        }
    }

    /// Write an object (atomic: readers see the old object or the new one). Objects above
    /// [`MULTIPART_THRESHOLD`] go up by multipart upload in 16 MiB parts (S3 caps a single put
    /// at 5 GiB and retries a failed part, not the whole object); a failed upload is aborted.
    pub fn put(&self, loc: &Location, bytes: Bytes) -> Result<()> {
        let err = |source| Error::Storage {
            uri: loc.uri.clone(),
            source,
        };
        if loc.is_local() {
            return local::put(std::path::Path::new(&loc.uri), &bytes).map_err(|e| Error::Io {
                context: format!("writing {}", loc.uri),
                source: e,
            });
        }
        if bytes.len() <= MULTIPART_THRESHOLD {
            return self
                .rt
                .block_on(loc.store.put(&loc.path, PutPayload::from_bytes(bytes)))
                .map(|_| ())
                .map_err(err);
        }
        self.rt.block_on(async {
            let upload = loc.store.put_multipart(&loc.path).await.map_err(err)?;
            let mut writer = object_store::WriteMultipart::new_with_chunk_size(upload, 16 << 20);
            writer.put(bytes);
            writer.finish().await.map(|_| ()).map_err(err)
        })
    }

    /// Write an object only if it does not exist yet. `Ok(false)` when it already existed.
    pub fn put_create(&self, loc: &Location, bytes: Bytes) -> Result<bool> {
        if loc.is_local() {
            return local::put_create(std::path::Path::new(&loc.uri), &bytes).map_err(|e| {
                Error::Io {
                    context: format!("writing {}", loc.uri),
                    source: e,
                }
            });
        }
        let opts = PutOptions {
            mode: PutMode::Create,
            ..Default::default()
        };
        match self.rt.block_on(
            loc.store
                .put_opts(&loc.path, PutPayload::from_bytes(bytes), opts),
        ) {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            Err(source) => Err(Error::Storage {
                uri: loc.uri.clone(),
                source,
            }),
        }
    }

    /// Every object below a location (recursive), sorted by path. Locally, entries that cannot
    /// be objects (symlink loops, names that are not UTF-8, FIFOs, sockets, devices) are skipped
    /// with a warning naming them; they never stop the listing.
    pub fn list(&self, loc: &Location) -> Result<Vec<Listed>> {
        if loc.is_local() {
            return Ok(local::list(std::path::Path::new(&loc.uri)));
        }
        let prefix = if loc.path.as_ref().is_empty() {
            None
        } else {
            Some(&loc.path)
        };
        let mut metas: Vec<ObjectMeta> = match self
            .rt
            .block_on(loc.store.list(prefix).try_collect::<Vec<_>>())
        {
            Ok(m) => m,
            // A local folder that does not exist lists as empty.
            Err(object_store::Error::NotFound { .. }) => Vec::new(),
            Err(source) => {
                return Err(Error::Storage {
                    uri: loc.uri.clone(),
                    source,
                });
            }
        };
        metas.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(metas
            .into_iter()
            .map(|m| Listed {
                location: m.location,
                size: m.size,
            })
            .collect())
    }

    /// Objects matching a path or glob URI (`*`, `?`, `[..]`, `**`), sorted by path. A URI without
    /// glob characters names one object (its `rel` is its file name).
    pub fn glob(&self, uri: &str) -> Result<Vec<Object>> {
        let Some(star) = uri.find(['*', '?', '[', '{']) else {
            let loc = self.locate(uri)?;
            if loc.is_local() {
                let path = std::path::Path::new(&loc.uri);
                return Ok(match std::fs::metadata(path) {
                    Ok(m) if m.is_file() => vec![Object {
                        rel: path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        size: m.len(),
                        location: loc,
                    }],
                    Ok(_) => {
                        tracing::warn!(path = %loc.uri, "skipped: not a regular file (a FIFO, socket, device or folder)");
                        Vec::new()
                    }
                    Err(_) => Vec::new(),
                });
            }
            let Some(meta) = self.head(&loc)? else {
                return Ok(Vec::new());
            };
            let rel = loc.path.filename().unwrap_or_default().to_string();
            return Ok(vec![Object {
                location: loc,
                rel,
                size: meta.size,
            }]);
        };
        let root_end = uri[..star].rfind('/').map(|i| i + 1).unwrap_or(0);
        let (root, pattern) = uri.split_at(root_end);
        let root_loc = self.locate(if root.is_empty() { "." } else { root })?;
        let matcher = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| Error::Usage(format!("bad glob `{uri}`: {e}")))?
            .compile_matcher();
        let prefix = root_loc.path.as_ref().to_string();
        let mut out = Vec::new();
        for meta in self.list(&root_loc)? {
            let full = meta.location.as_ref();
            let rel = full
                .strip_prefix(prefix.as_str())
                .unwrap_or(full)
                .trim_start_matches('/')
                .to_string();
            if matcher.is_match(&rel) {
                out.push(Object {
                    location: root_loc.with_path(meta.location.clone()),
                    rel,
                    size: meta.size,
                });
            }
        }
        Ok(out)
    }

    /// Up to `limit` objects below a location (one request for most stores).
    pub fn list_some(
        &self,
        loc: &Location,
        limit: usize,
    ) -> std::result::Result<Vec<ObjectMeta>, object_store::Error> {
        use futures::StreamExt;
        let prefix = if loc.path.as_ref().is_empty() {
            None
        } else {
            Some(&loc.path)
        };
        self.rt.block_on(async {
            let mut out = Vec::new();
            let mut stream = loc.store.list(prefix);
            while let Some(item) = stream.next().await {
                out.push(item?);
                if out.len() >= limit {
                    break;
                }
            }
            Ok(out)
        })
    }

    /// Copy an object: server-side within one store (a hard link on a local file system, a
    /// `CopyObject` within a bucket); read and write across stores, or when a local hard link is
    /// impossible (another file system). Errors name the destination.
    pub fn copy(&self, from: &Location, to: &Location) -> Result<()> {
        if from.is_local() && to.is_local() {
            return local::copy(
                std::path::Path::new(&from.uri),
                std::path::Path::new(&to.uri),
            )
            .map_err(|e| Error::Io {
                context: format!("copying {} to {}", from.uri, to.uri),
                source: e,
            });
        }
        if from.scheme_root == to.scheme_root {
            match self.rt.block_on(to.store.copy(&from.path, &to.path)) {
                Ok(()) => return Ok(()),
                Err(_) if to.is_local() => {}
                Err(source) => {
                    return Err(Error::Storage {
                        uri: to.uri.clone(),
                        source,
                    });
                }
            }
        }
        let bytes = self.get(from)?;
        self.put(to, bytes)
    }

    /// Delete an object (missing objects are fine).
    pub fn delete(&self, loc: &Location) -> Result<()> {
        match self.rt.block_on(loc.store.delete(&loc.path)) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(source) => Err(Error::Storage {
                uri: loc.uri.clone(),
                source,
            }),
        }
    }
}

/// A blocking `Read` over an object's byte stream.
struct RemoteReader<'a> {
    rt: &'a tokio::runtime::Runtime,
    stream: futures::stream::BoxStream<'static, object_store::Result<Bytes>>,
    chunk: Bytes,
}

impl std::io::Read for RemoteReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use futures::StreamExt;
        while self.chunk.is_empty() {
            match self.rt.block_on(self.stream.next()) {
                None => return Ok(0),
                Some(Ok(b)) => self.chunk = b,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}

/// True for `s3://`, `gs://` and other scheme URIs that are not local.
pub fn is_remote(uri: &str) -> bool {
    uri.contains("://") && !uri.starts_with("file://")
}

/// Resolve a source URI: remote URIs as they are, local paths against the spec's folder.
pub fn resolve_uri(uri: &str, base: &Path) -> String {
    if is_remote(uri) {
        return uri.to_string();
    }
    let local = uri.strip_prefix("file://").unwrap_or(uri);
    let p = Path::new(local);
    if p.is_absolute() {
        local.to_string()
    } else {
        base.join(p).to_string_lossy().into_owned()
    }
}

/// Remove `.` and resolve `..` without touching the file system.
pub fn lexical(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn remote_location(
    store: Arc<dyn ObjectStore>,
    scheme: &str,
    bucket: &str,
    key: &str,
    uri: &str,
) -> Result<Location> {
    let path = ObjPath::parse(key.trim_matches('/'))
        .map_err(|e| Error::Usage(format!("bad object key in `{uri}`: {e}")))?;
    let scheme_root = format!("{scheme}://{bucket}");
    let uri = if path.as_ref().is_empty() {
        scheme_root.clone()
    } else {
        format!("{scheme_root}/{path}")
    };
    Ok(Location {
        store,
        path,
        uri,
        scheme_root,
    })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The default output root, when neither `--output` nor the spec's `output` gives one:
/// `$DATASET_PIPELINE_OUTPUT_DIR`; else, with `DATASET_STORAGE_BACKEND=s3`, `s3://$OVH_S3_BUCKET`
/// and with `gcs`, `gs://$GCS_BUCKET` (a missing bucket variable is an error, never a silent
/// local write); else (the local backend) `$DATASET_STORAGE_LOCAL_PATH`; else `./out`.
pub fn default_output() -> Result<String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    if let Some(dir) = env("DATASET_PIPELINE_OUTPUT_DIR") {
        return Ok(resolve_uri(&dir, &cwd));
    }
    match env("DATASET_STORAGE_BACKEND").as_deref() {
        Some("s3") => env("OVH_S3_BUCKET")
            .map(|b| format!("s3://{b}"))
            .ok_or_else(|| {
                Error::Usage(
                    "DATASET_STORAGE_BACKEND is s3 but OVH_S3_BUCKET is not set: set it, or pass --output / [release] output".into(),
                )
            }),
        Some("gcs") => env("GCS_BUCKET")
            .map(|b| format!("gs://{b}"))
            .ok_or_else(|| {
                Error::Usage(
                    "DATASET_STORAGE_BACKEND is gcs but GCS_BUCKET is not set: set it, or pass --output / [release] output".into(),
                )
            }),
        Some("local") | None => Ok(match env("DATASET_STORAGE_LOCAL_PATH") {
            Some(p) => resolve_uri(&p, &cwd),
            None => cwd.join("out").to_string_lossy().into_owned(),
        }),
        Some(other) => Err(Error::Usage(format!(
            "DATASET_STORAGE_BACKEND is `{}`: use local, s3 or gcs",
            crate::error::echo(other)
        ))),
    }
}

/// The folder of run directories: `$XDG_CACHE_HOME/trainready/runs`, else
/// `$HOME/.cache/trainready/runs`, else the system's temporary folder. Run directories are cache:
/// local, whatever the output (their stage files hold the text before redaction).
pub fn runs_root() -> std::path::PathBuf {
    let base = env("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| env("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("trainready").join("runs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_lists_matching_objects_with_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/train.jsonl"), "{}\n").unwrap();
        std::fs::write(dir.path().join("a/test.jsonl"), "{}\n").unwrap();
        std::fs::write(dir.path().join("a/notes.txt"), "x").unwrap();
        std::fs::write(dir.path().join("a/b/deep.jsonl"), "{}\n").unwrap();
        let st = Storage::new().unwrap();
        let pattern = format!("{}/a/*.jsonl", dir.path().display());
        let found: Vec<String> = st
            .glob(&pattern)
            .unwrap()
            .into_iter()
            .map(|o| o.rel)
            .collect();
        assert_eq!(found, vec!["test.jsonl", "train.jsonl"]);
        let pattern = format!("{}/a/**/*.jsonl", dir.path().display());
        let found: Vec<String> = st
            .glob(&pattern)
            .unwrap()
            .into_iter()
            .map(|o| o.rel)
            .collect();
        assert_eq!(found, vec!["b/deep.jsonl", "test.jsonl", "train.jsonl"]);
    }

    #[test]
    fn create_only_put_refuses_second_write() {
        let dir = tempfile::tempdir().unwrap();
        let st = Storage::new().unwrap();
        let loc = st
            .locate(&dir.path().join("x/release.json").to_string_lossy())
            .unwrap();
        assert!(st.put_create(&loc, Bytes::from_static(b"one")).unwrap());
        assert!(!st.put_create(&loc, Bytes::from_static(b"two")).unwrap());
        assert_eq!(st.get(&loc).unwrap(), Bytes::from_static(b"one"));
    }
}
