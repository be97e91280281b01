//! Arbitrary bytes as a blueprint: load, plan, validate and render for every target, in each of
//! its environments, must never panic, and every refusal must be located inside the text with a
//! help line.
#![no_main]

use cloudwright::blueprint::{self, Origin, Source};
use cloudwright::diagnostics::Diagnostic;
use cloudwright::render::{self, Target};
use libfuzzer_sys::fuzz_target;

fn located(d: &Diagnostic, lines: usize) {
    assert!(
        d.location.line >= 1 && d.location.line <= lines + 1,
        "{d:?}"
    );
    assert!(d.location.column >= 1, "{d:?}");
    assert!(d.help.is_some(), "no help: {d:?}");
}

fuzz_target!(|bytes: &[u8]| {
    // As the CLI reads a file: UTF-8 or a located refusal.
    let Ok(text) = cloudwright::input::text(bytes.to_vec()) else {
        return;
    };
    // Lines as YAML counts them, and so the diagnostics: a lone `\r` ends one too.
    let lines = text.replace("\r\n", "\n").replace('\r', "\n").lines().count().max(1);
    let doc = match blueprint::load(Source {
        origin: Origin::Catalog("fuzz".into()),
        text,
    }) {
        Ok(doc) => doc,
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty());
            diagnostics.iter().for_each(|d| located(d, lines));
            return;
        }
    };
    for env in doc.environment_names() {
        let doc = match doc.environment(&env) {
            Ok(doc) => doc,
            Err(diagnostics) => {
                assert!(!diagnostics.is_empty());
                diagnostics.iter().for_each(|d| located(d, lines));
                continue;
            }
        };
        let plan = match cloudwright::plan::plan(&doc, None) {
            Ok(plan) => plan,
            Err(diagnostics) => {
                diagnostics.iter().for_each(|d| located(d, lines));
                continue;
            }
        };
        let outcome = cloudwright::validate::run(&doc, &plan);
        outcome.diagnostics.iter().for_each(|d| located(d, lines));
        for target in Target::ALL {
            render::render(&plan, &outcome.accepted, target).expect("renders");
        }
    }
});
