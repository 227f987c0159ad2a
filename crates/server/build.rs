//! Build facts compiled into the service:
//!
//! - The embedded web assets (the demo, its `/plain` page and the one-script SDK in `sdk/`) come
//!   from `web/dist` (or the folder `SYNERISE_AUTH_WEB_BUILD` names). A release build refuses to go on without it, with the command to run
//!   first, rather than ship a binary whose script-tag route serves nothing useful; a debug build
//!   (and a release build with `SYNERISE_AUTH_WEB=placeholder`, said out loud) embeds a
//!   placeholder page and script, so the crates compile and test without Node.
//! - The commit, from `git rev-parse` (or `SYNERISE_AUTH_COMMIT`, for a source tree without
//!   `.git`; `unknown` when neither), shown by `--version` and `/healthz`.

use std::{env, fs, path::Path, path::PathBuf, process::Command};

const BUILD_WEB: &str = "cd web && npm ci && npm run build";

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    web_assets(&manifest);
    commit(&manifest);
}

fn web_assets(manifest: &Path) {
    println!("cargo:rerun-if-env-changed=SYNERISE_AUTH_WEB_BUILD");
    let dist = env::var_os("SYNERISE_AUTH_WEB_BUILD")
        .map_or_else(|| manifest.join("../../web/dist"), PathBuf::from);
    println!("cargo:rerun-if-changed={}", dist.display());
    println!(
        "cargo:rerun-if-changed={}",
        dist.join("index.html").display()
    );
    println!("cargo:rerun-if-env-changed=SYNERISE_AUTH_WEB");
    let built = dist.join("index.html").is_file() && dist.join("sdk/synerise-auth.js").is_file();
    let folder = if built {
        dist.canonicalize().unwrap_or(dist)
    } else {
        let release = env::var("PROFILE").is_ok_and(|p| p == "release");
        let placeholder_asked = env::var("SYNERISE_AUTH_WEB").is_ok_and(|v| v == "placeholder");
        if release && !placeholder_asked {
            eprintln!(
                "\nerror: the browser SDK and demo site are not built, and a release binary must \
                 embed them (its /sdk/synerise-auth.js is what shops load).\n\
                 Run first, from the repository root:\n\n    {BUILD_WEB}\n\n\
                 then build again. (To build a release binary without them on purpose, set \
                 SYNERISE_AUTH_WEB=placeholder.)\n"
            );
            std::process::exit(1);
        }
        if release {
            println!(
                "cargo:warning=SYNERISE_AUTH_WEB=placeholder: this binary serves no browser SDK"
            );
        }
        placeholder(&PathBuf::from(env::var("OUT_DIR").unwrap_or_default()))
    };
    println!(
        "cargo:rustc-env=SYNERISE_AUTH_WEB_DIST={}",
        folder.display()
    );
}

fn placeholder(out_dir: &Path) -> PathBuf {
    let placeholder = out_dir.join("web-placeholder");
    fs::create_dir_all(&placeholder).ok();
    fs::write(
        placeholder.join("index.html"),
        "<!doctype html><meta charset=utf-8><title>synerise-auth</title>\
         <p>The demo site is not built into this binary. Build it with <code>scripts/demo</code> \
         (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then rebuild).</p>\n",
    )
    .ok();
    // The one-script SDK is served in every mode; without the front end it only says so.
    fs::create_dir_all(placeholder.join("sdk")).ok();
    fs::write(
        placeholder.join("sdk/synerise-auth.js"),
        "console.error('synerise-auth: this binary was built without the browser SDK \
         (build web/ first).');\n",
    )
    .ok();
    placeholder
}

fn commit(manifest: &Path) {
    println!("cargo:rerun-if-env-changed=SYNERISE_AUTH_COMMIT");
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(manifest)
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
    };
    let commit = match env::var("SYNERISE_AUTH_COMMIT") {
        Ok(commit) if !commit.is_empty() => commit,
        _ => {
            // Build again when HEAD moves: its file (a branch switch) and its branch's ref (a
            // commit). Only files that exist, or cargo would rerun this script every build.
            let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
            if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
                watched.push(git(&["rev-parse", "--git-path", &branch]));
                watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
            }
            for path in watched.into_iter().flatten() {
                let path = manifest.join(path);
                if path.exists() {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
            }
            git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".to_owned())
        }
    };
    println!("cargo:rustc-env=SYNERISE_AUTH_COMMIT={commit}");
}
