//! The shell's modules call downward only: no import circle, and nothing calls up into `main.rs`
//! (it wires the app together; what others need lives in a module of its own, such as
//! `desktop`). Read from the sources, so a new `use crate::...` that closes a circle fails here.

use std::collections::{BTreeMap, BTreeSet};

/// Each module (file) and the modules it names as `crate::NAME`.
fn graph() -> (BTreeMap<String, BTreeSet<String>>, Vec<String>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    let mut calls_into_main = Vec::new();
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "rs")).collect();
    let names: BTreeSet<String> = files.iter().map(|p| p.file_stem().unwrap().to_string_lossy().into_owned()).collect();
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let mut uses = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let target: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let grouped = rest.starts_with('{');
            if grouped {
                // `use crate::{a, b::c}`: each first segment.
                let inner = &rest[1..rest.find('}').unwrap_or(rest.len())];
                uses.extend(inner.split(',').map(|s| s.trim().split("::").next().unwrap_or("").to_string()).filter(|s| names.contains(s)));
            } else if names.contains(&target) {
                uses.insert(target);
            } else if !target.is_empty() && !["main", "tests", "bindings", "module_graph"].contains(&name.as_str()) {
                calls_into_main.push(format!("{name}.rs: crate::{target}"));
            }
        }
        uses.remove(&name);
        modules.insert(name, uses);
    }
    (modules, calls_into_main)
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(node: &str, graph: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_shell_has_no_import_circle_and_no_call_up_into_main() {
    let (modules, calls_into_main) = graph();
    // Tests and the bindings generator look at everything; they are not part of the app.
    let app: BTreeMap<_, _> = modules.into_iter().filter(|(name, _)| !["tests", "bindings", "module_graph"].contains(&name.as_str())).collect();
    assert!(app.len() > 10, "the modules were found: {app:?}");
    assert_eq!(find_cycle(&app), None, "an import circle in src-tauri/src");
    assert_eq!(calls_into_main, Vec::<String>::new(), "calls up into main.rs");
}

#[test]
fn a_circle_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"])]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
        .collect();
    assert_eq!(find_cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}
