//! The code-split release build of the overlay (issue 13 item 1), which Trunk cannot do (it has
//! no step between cargo and wasm-bindgen, Trunk issue #1022):
//!
//! 1. cargo builds the overlay for wasm32 with `--cfg asm_split` (the `split_fn!` points of
//!    src/lazy.rs become `wasm_split` imports), `--emit-relocs` (the splitter needs them) and
//!    Leptos' `--cfg erase_components` for every crate of the wasm target (type-erased views:
//!    −10 % over all chunks, measured in docs/benchmarks.md);
//! 2. `wasm_split_cli_support` cuts the chunks out of cargo's wasm and writes the link module
//!    that fetches them ([`LINK`], a fixed-length placeholder name that [`crate::bundle`] turns
//!    into a hashed one);
//! 3. `wasm-bindgen --target web --keep-lld-exports` makes the glue for the main module;
//! 4. `wasm-opt -Oz --converge` (npm's binaryen) on the main module and on every chunk, esbuild (npm) on
//!    the glue, the link module and the loader;
//! 5. the result, the loader and its types go into `dist/`, with Trunk's fixed names, for
//!    [`crate::bundle::finish`].

use std::fs;
use std::path::Path;

use crate::{run, run_env, Step};

/// The link module's name until the bundle is hashed: `asm-split-<16 underscores>.js`, as long
/// as its hashed name, because the main wasm names it in its imports.
pub const LINK: &str = "asm-split-________________.js";

/// Features for wasm-opt: what rustc 1.8x emits for wasm32 (the chunks carry no feature section).
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// esbuild from npm (`npm ci`): minifies wasm-bindgen's glue and the link module. Not Trunk's
/// minifier, which is known to break wasm-bindgen glue; esbuild keeps the export names and the
/// double-quoted module names that [`crate::bundle::finish`] rewrites.
const ESBUILD: &str = "node_modules/.bin/esbuild";

/// `from` minified into `to` (an ES module for the browsers the overlay supports).
fn minify(from: &Path, to: &Path) -> Step {
    let (Some(from), Some(to)) = (from.to_str(), to.to_str()) else {
        return Err("non-UTF-8 path".into());
    };
    let out = format!("--outfile={to}");
    run(
        ESBUILD,
        &[
            from,
            "--minify",
            "--format=esm",
            "--target=es2020",
            "--log-level=warning",
            // wasm-bindgen's glue names the link module once per import in one object literal.
            "--log-override:duplicate-object-key=silent",
            &out,
        ],
    )
}

fn io<T>(what: &Path, r: std::io::Result<T>) -> Result<T, String> {
    r.map_err(|e| format!("{}: {e}", what.display()))
}

/// Builds the split overlay into `dist` (emptied first).
pub fn build(dist: &Path) -> Step {
    run_env(
        "cargo",
        &[
            "rustc",
            "-p",
            "asm-overlay",
            "--lib",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "--cfg",
            "asm_split",
            "-C",
            "link-arg=--emit-relocs",
        ],
        &[(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "--cfg erase_components",
        )],
    )?;
    let input = Path::new("target/wasm32-unknown-unknown/release/asm_overlay.wasm");
    let work = Path::new("target/asm-split");
    if work.exists() {
        io(work, fs::remove_dir_all(work))?;
    }
    let chunks = work.join("chunks");
    io(&chunks, fs::create_dir_all(&chunks))?;
    let main = work.join("main.wasm");
    let wasm = io(input, fs::read(input))?;
    println!("xtask: splitting {}", input.display());
    let link = format!("./{LINK}");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&wasm);
        opts.output_dir = &chunks;
        opts.main_out_path = &main;
        opts.link_name = &link;
        opts.main_module = "./asm-overlay.js";
        opts
    })
    .map_err(|e| format!("wasm-split: {e:?}"))?;
    let bindgen = work.join("bindgen");
    let (Some(main_str), Some(bindgen_str)) = (main.to_str(), bindgen.to_str()) else {
        return Err("non-UTF-8 work path".into());
    };
    run(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--keep-lld-exports",
            "--no-demangle",
            "--no-typescript",
            "--out-name",
            "asm-overlay",
            "--out-dir",
            bindgen_str,
            main_str,
        ],
    )?;
    let mut optimise = vec![bindgen.join("asm-overlay_bg.wasm")];
    optimise.extend(split.split_modules.iter().cloned());
    for file in &optimise {
        let Some(file) = file.to_str() else {
            return Err(format!("non-UTF-8 path {}", file.display()));
        };
        // `--converge` runs -Oz again until the module stops shrinking: −0.8 % gzip on the main
        // module (docs/benchmarks.md, where the other flags compared are listed).
        let mut args = vec!["-Oz", "--converge"];
        // For `twiggy` (issue 13 item 2): `ASM_WASM_NAMES=1` keeps the function names.
        if std::env::var_os("ASM_WASM_NAMES").is_some() {
            args.push("-g");
        }
        args.extend_from_slice(WASM_OPT_FEATURES);
        args.extend_from_slice(&[file, "-o", file]);
        run_env("wasm-opt", &args, &[])?;
    }

    if dist.exists() {
        io(dist, fs::remove_dir_all(dist))?;
    }
    io(dist, fs::create_dir_all(dist))?;
    let copy =
        |from: &Path, name: &str| -> Step { io(from, fs::copy(from, dist.join(name))).map(|_| ()) };
    minify(
        &bindgen.join("asm-overlay.js"),
        &dist.join("asm-overlay.js"),
    )?;
    copy(&bindgen.join("asm-overlay_bg.wasm"), "asm-overlay_bg.wasm")?;
    minify(&chunks.join(LINK), &dist.join(LINK))?;
    for chunk in &split.split_modules {
        let Some(name) = chunk.file_name().and_then(|n| n.to_str()) else {
            return Err(format!("odd chunk name {}", chunk.display()));
        };
        copy(chunk, name)?;
    }
    // The loader minified too: it is what every storefront page loads (budget 1,000 B gzip).
    minify(
        Path::new("loader/asm-loader.js"),
        &dist.join("asm-loader.js"),
    )?;
    copy(Path::new("loader/asm-overlay.d.ts"), "asm-overlay.d.ts")?;
    // Every other locale's catalogue, as the overlay reads it (`asm-catalogues`; English is in
    // the wasm); `bundle::finish` names them after their content.
    let (_, catalogues) = asm_catalogues::compile_dir(Path::new("locales"))?;
    for (tag, json) in catalogues {
        let path = dist.join(crate::bundle::catalogue_name(&tag));
        io(&path, fs::write(&path, json))?;
    }
    let index = "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>asm-overlay bundle</title></head>\n<body>\n  <p>This is the asm-overlay bundle. Storefronts embed <code>asm-loader.js</code>; see the README.</p>\n</body>\n</html>\n";
    io(
        &dist.join("index.html"),
        fs::write(dist.join("index.html"), index),
    )?;
    println!(
        "xtask: split into the main module and {} chunks",
        split.split_modules.len()
    );
    Ok(())
}
