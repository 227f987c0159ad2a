//! Points the embedded web assets at `web/dist` when the front end has been built (the demo, its
//! `/plain` page and the one-script SDK in `sdk/`), and at a placeholder page and script
//! otherwise, so the crate always compiles.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = manifest.join("../../web/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    println!(
        "cargo:rerun-if-changed={}",
        dist.join("index.html").display()
    );
    let folder = if dist.join("index.html").is_file() {
        dist.canonicalize().unwrap_or(dist)
    } else {
        let placeholder =
            PathBuf::from(env::var("OUT_DIR").unwrap_or_default()).join("web-placeholder");
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
    };
    println!(
        "cargo:rustc-env=SYNERISE_AUTH_WEB_DIST={}",
        folder.display()
    );
}
