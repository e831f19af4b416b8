//! Against a real S3-compatible server on 127.0.0.1 (moto, started by scripts/test): build from
//! s3:// sources to an s3:// release, verify over S3, create-only publish under two concurrent
//! builds, a missing bucket and rejected credentials (exit 2 with a clear message).

use std::path::Path;
use std::process::{Command, Output};

use bytes::Bytes;
use trainready::storage::{S3Settings, Storage};

use crate::common::*;

/// The S3 endpoint, or None (with a notice) when the tests run without scripts/test.
fn endpoint(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(e) if !e.is_empty() => Some(e),
        _ => {
            assert!(
                std::env::var("TRAINREADY_REQUIRE_S3").is_err(),
                "{var} is not set but TRAINREADY_REQUIRE_S3 is"
            );
            eprintln!("notice: {var} not set (run scripts/test): skipping an S3 test");
            None
        }
    }
}

fn settings(endpoint: &str) -> S3Settings {
    S3Settings {
        endpoint: Some(endpoint.to_string()),
        region: Some("us-east-1".into()),
        access_key: Some("test".into()),
        secret_key: Some("test".into()),
        retry_timeout: std::time::Duration::from_secs(5),
        max_retries: 2,
        ..Default::default()
    }
}

/// A fresh bucket (moto creates buckets on an unsigned PUT).
fn make_bucket(endpoint: &str, name: &str) {
    let o = Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "PUT",
            &format!("{endpoint}/{name}"),
        ])
        .output()
        .unwrap();
    assert_eq!(text(&o.stdout), "200", "creating bucket {name}");
}

fn upload_dir(storage: &Storage, dir: &Path, uri: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        if p.is_dir() {
            upload_dir(storage, &p, &format!("{uri}/{name}"));
        } else {
            let loc = storage.locate(&format!("{uri}/{name}")).unwrap();
            storage
                .put(&loc, Bytes::from(std::fs::read(&p).unwrap()))
                .unwrap();
        }
    }
}

/// The trainready binary configured for the S3 server at `endpoint`, with `bucket` as the
/// default output (`DATASET_STORAGE_BACKEND=s3`) and a short retry budget.
fn s3_command(endpoint: &str, bucket: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trainready"));
    c.env("DATASET_STORAGE_BACKEND", "s3")
        .env("OVH_S3_BUCKET", bucket)
        .env("OVH_S3_ENDPOINT", endpoint)
        .env("OVH_S3_REGION", "us-east-1")
        .env("OVH_S3_ACCESS_KEY", "test")
        .env("OVH_S3_SECRET_KEY", "test")
        .env("TRAINREADY_RETRY_TIMEOUT_SECS", "5")
        .env("TRAINREADY_MAX_RETRIES", "2")
        .env("XDG_CACHE_HOME", test_cache())
        .env_remove("DATASET_PIPELINE_OUTPUT_DIR")
        .env_remove("DATASET_STORAGE_LOCAL_PATH")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    c
}

fn trainready_s3(endpoint: &str, bucket: &str, args: &[&str]) -> Output {
    s3_command(endpoint, bucket).args(args).output().unwrap()
}

/// The fixture spec reading its sources below `prefix`, without an output (so the backend's
/// bucket is the default).
fn fixture_spec(dir: &Path, prefix: &str) -> std::path::PathBuf {
    write_spec(dir, "s3.toml", &fixture_spec_text(prefix))
}

#[test]
fn build_from_s3_to_s3_and_verify_over_s3() {
    let Some(ep) = endpoint("TRAINREADY_TEST_S3_ENDPOINT") else {
        return;
    };
    let bucket = format!("tr-build-{}", std::process::id());
    make_bucket(&ep, &bucket);
    let storage = Storage::with_s3(settings(&ep)).unwrap();
    upload_dir(
        &storage,
        &fixtures(),
        &format!("s3://{bucket}/raw/fixtures"),
    );
    let tmp = tempfile::tempdir().unwrap();
    let spec = fixture_spec(tmp.path(), &format!("s3://{bucket}/raw/fixtures"));

    let o = trainready_s3(&ep, &bucket, &["build", spec.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let release = format!("s3://{bucket}/releases/fixtures/0.1.0");
    assert!(text(&o.stdout).contains(&release), "{}", text(&o.stdout));
    let rj = storage
        .get(&storage.locate(&format!("{release}/release.json")).unwrap())
        .unwrap();
    let rj: serde_json::Value = serde_json::from_slice(&rj).unwrap();
    assert!(
        rj["inputs"][0]["uri"]
            .as_str()
            .unwrap()
            .starts_with(&format!("s3://{bucket}/raw/fixtures/"))
    );
    assert_eq!(rj["counts"]["input"], 164);
    // The run directory is local cache, not the bucket (its stage files hold unredacted text).
    let stdout = text(&o.stdout);
    let run_dir = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("run directory: "))
        .unwrap();
    assert!(
        run_dir.starts_with(test_cache().to_str().unwrap()),
        "{run_dir}"
    );
    let in_bucket = storage
        .list(&storage.locate(&format!("s3://{bucket}")).unwrap())
        .unwrap();
    assert!(
        in_bucket
            .iter()
            .all(|o| !o.location.as_ref().contains("runs/")),
        "a run directory in the bucket"
    );

    let v = trainready_s3(&ep, &bucket, &["verify", &release]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));

    // Same bytes as a local build of the same inputs: only the input URIs differ.
    let local = fixture_release(&tmp.path().join("local"));
    for s in rj["shards"].as_array().unwrap() {
        let path = s["path"].as_str().unwrap();
        assert!(
            local.join(path).exists(),
            "{path} has the same content address locally"
        );
    }

    // A local run directory with an S3 release: shards staged on disk are copied up (read and
    // write across stores) and verify over S3.
    let run = tmp.path().join("local-run");
    let o = trainready_s3(
        &ep,
        &bucket,
        &[
            "build",
            spec.to_str().unwrap(),
            "--version",
            "0.1.1",
            "--run-dir",
            run.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        run.join("release/chatml/sft/train").is_dir(),
        "staged locally"
    );
    let v = trainready_s3(
        &ep,
        &bucket,
        &["verify", &format!("s3://{bucket}/releases/fixtures/0.1.1")],
    );
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));

    // Tamper with a shard on S3: verify names it.
    let shard = rj["shards"][0]["path"].as_str().unwrap();
    storage
        .put(
            &storage.locate(&format!("{release}/{shard}")).unwrap(),
            Bytes::from_static(b"{}\n"),
        )
        .unwrap();
    let v = trainready_s3(&ep, &bucket, &["verify", &release]);
    assert_eq!(v.status.code(), Some(1));
    assert!(text(&v.stderr).contains(shard));

    // check: lists the bucket, probes a write.
    let c = trainready_s3(&ep, &bucket, &["check", "--write-probe"]);
    assert_eq!(c.status.code(), Some(0), "{}", text(&c.stdout));
    let out = text(&c.stdout);
    assert!(
        out.contains("OVH_S3_SECRET_KEY") && !out.contains("test\n") && out.contains("write probe"),
        "{out}"
    );
    // The runbook's AWS fallback keys with the OVH endpoint: check, build and verify work alike.
    let with_aws = |args: &[&str]| {
        s3_command(&ep, &bucket)
            .env_remove("OVH_S3_ACCESS_KEY")
            .env_remove("OVH_S3_SECRET_KEY")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .args(args)
            .output()
            .unwrap()
    };
    let c = with_aws(&["check", spec.to_str().unwrap(), "--write-probe"]);
    assert_eq!(c.status.code(), Some(0), "{}", text(&c.stdout));
    let v = with_aws(&["verify", &format!("s3://{bucket}/releases/fixtures/0.1.1")]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
    // A source prefix with nothing under it is a problem, named.
    let gone = write_spec(
        tmp.path(),
        "gone.toml",
        &fixture_spec_text(&format!("s3://{bucket}/nothing-here")),
    );
    let c = trainready_s3(&ep, &bucket, &["check", gone.to_str().unwrap()]);
    assert_eq!(c.status.code(), Some(2), "{}", text(&c.stdout));
    assert!(
        text(&c.stdout).contains("matches no object"),
        "{}",
        text(&c.stdout)
    );
}

#[test]
fn concurrent_builds_of_one_version_publish_exactly_once() {
    let Some(ep) = endpoint("TRAINREADY_TEST_S3_ENDPOINT") else {
        return;
    };
    let bucket = format!("tr-race-{}", std::process::id());
    make_bucket(&ep, &bucket);
    let tmp = tempfile::tempdir().unwrap();
    let spec = fixture_spec(tmp.path(), fixtures().to_str().unwrap());
    let spawn = || {
        s3_command(&ep, &bucket)
            .args(["build", spec.to_str().unwrap(), "-q"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let mut codes = [a.status.code(), b.status.code()];
    codes.sort();
    assert_eq!(
        codes,
        [Some(0), Some(2)],
        "a: {} b: {}",
        text(&a.stderr),
        text(&b.stderr)
    );
    let loser = if a.status.code() == Some(2) { &a } else { &b };
    assert!(
        text(&loser.stderr).contains("already exists"),
        "{}",
        text(&loser.stderr)
    );
    let v = trainready_s3(
        &ep,
        &bucket,
        &["verify", &format!("s3://{bucket}/releases/fixtures/0.1.0")],
    );
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
}

#[test]
fn missing_bucket_is_a_clear_tool_error() {
    let Some(ep) = endpoint("TRAINREADY_TEST_S3_ENDPOINT") else {
        return;
    };
    let o = trainready_s3(
        &ep,
        "no-such-bucket-here",
        &[
            "build",
            fixtures().join("release.toml").to_str().unwrap(),
            "--output",
            "s3://no-such-bucket-here/x",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("s3://no-such-bucket-here/x") && err.contains("NoSuchBucket"),
        "{err}"
    );
    let c = trainready_s3(&ep, "no-such-bucket-here", &["check"]);
    assert_eq!(c.status.code(), Some(2));
    assert!(
        text(&c.stdout).contains("bucket does not exist") || text(&c.stdout).contains("not found"),
        "{}",
        text(&c.stdout)
    );
}

#[test]
fn rejected_credentials_are_a_clear_tool_error() {
    let Some(ep) = endpoint("TRAINREADY_TEST_S3_AUTH_ENDPOINT") else {
        return;
    };
    let o = trainready_s3(
        &ep,
        "any",
        &[
            "build",
            fixtures().join("release.toml").to_str().unwrap(),
            "--output",
            "s3://any/x",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("s3://any/x") && err.contains("403"), "{err}");
    assert!(
        !err.contains("OVH_S3_SECRET_KEY=") && !err.contains("test\n"),
        "no secrets printed"
    );
    let c = trainready_s3(&ep, "any", &["check"]);
    assert_eq!(c.status.code(), Some(2));
    assert!(
        text(&c.stdout).contains("credentials were rejected"),
        "{}",
        text(&c.stdout)
    );
}

#[test]
fn large_objects_go_up_in_parts() {
    let Some(ep) = endpoint("TRAINREADY_TEST_S3_ENDPOINT") else {
        return;
    };
    let bucket = format!("tr-multipart-{}", std::process::id());
    make_bucket(&ep, &bucket);
    let storage = Storage::with_s3(settings(&ep)).unwrap();
    let body: Vec<u8> = (0..(40u32 << 20))
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    assert!(body.len() > trainready::storage::MULTIPART_THRESHOLD);
    let loc = storage.locate(&format!("s3://{bucket}/big.bin")).unwrap();
    storage.put(&loc, Bytes::from(body.clone())).unwrap();
    assert_eq!(storage.get(&loc).unwrap().as_ref(), &body[..]);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_moto(port: u16) -> std::process::Child {
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moto_server (installed by scripts/test)");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    child
}

#[test]
fn server_stopped_mid_publish_fails_cleanly_and_publish_finishes_it() {
    if endpoint("TRAINREADY_TEST_S3_ENDPOINT").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // One record per shard: ~120 objects to publish, so there is a middle to stop in.
    let body = fixture_spec_local() + "\n[export]\nshard_records = 1\n";
    let spec = write_spec(tmp.path(), "many.toml", &body);
    let port = free_port();
    let ep = format!("http://127.0.0.1:{port}");
    let mut stopped_mid_publish = false;
    for attempt in 0..5 {
        let mut server = start_moto(port);
        let bucket = format!("tr-stop-{attempt}");
        make_bucket(&ep, &bucket);
        let storage = Storage::with_s3(settings(&ep)).unwrap();
        let prefix = storage
            .locate(&format!("s3://{bucket}/releases/fixtures/0.1.0"))
            .unwrap();
        // A local run directory: it survives the server (moto keeps no state).
        let run = tmp.path().join(format!("run-{attempt}"));
        let build = s3_command(&ep, &bucket)
            .args([
                "build",
                spec.to_str().unwrap(),
                "-q",
                "--run-dir",
                run.to_str().unwrap(),
            ])
            .env("TRAINREADY_RETRY_TIMEOUT_SECS", "3")
            .env("TRAINREADY_MAX_RETRIES", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Stop the server once some shards are up but before release.json.
        let mut published = false;
        for _ in 0..4000 {
            let objects = storage.list_some(&prefix, 1000).unwrap_or_default();
            if objects
                .iter()
                .any(|o| o.location.as_ref().ends_with("release.json"))
            {
                published = true;
                break;
            }
            if objects.len() >= 5 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        server.kill().unwrap();
        server.wait().unwrap();
        let out = build.wait_with_output().unwrap();
        if published || out.status.code() == Some(0) {
            continue; // the publish won the race; try again
        }
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains(&format!("s3://{bucket}/releases/fixtures/0.1.0")),
            "{}",
            text(&out.stderr)
        );
        stopped_mid_publish = true;

        // The server comes back (moto keeps no state: a fresh bucket); `publish` finishes the
        // staged release without rebuilding it.
        let mut server = start_moto(port);
        make_bucket(&ep, &bucket);
        let o = trainready_s3(&ep, &bucket, &["publish", run.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert!(
            text(&o.stdout).contains(&format!("published s3://{bucket}/releases/fixtures/0.1.0"))
        );
        let v = trainready_s3(
            &ep,
            &bucket,
            &["verify", &format!("s3://{bucket}/releases/fixtures/0.1.0")],
        );
        assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
        server.kill().unwrap();
        let _ = server.wait();
        break;
    }
    assert!(
        stopped_mid_publish,
        "could not stop the server in the middle of a publish in 5 attempts"
    );
}
