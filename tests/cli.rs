//! The `ils` command line as a user runs it.

use std::path::Path;
use std::process::{Command, Output};

fn ils(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ils"))
        .args(args)
        .output()
        .expect("the ils binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Rows of a curves.csv after checking its header.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).expect("curves.csv is readable");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("estimator,parameter,step,kl"));
    lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

#[test]
fn reproduce_writes_csv_and_figures() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("results");
    let output = ils(&[
        "reproduce",
        "--steps",
        "200",
        "--seed",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    let rows = csv_rows(&out.join("curves.csv"));
    assert_eq!(rows.len(), 6 * 201, "six curves of steps 0 to 200");
    let settings: Vec<(String, String)> = rows
        .iter()
        .step_by(201)
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let expected = [("ils", "0.1"), ("ils", "0.01"), ("ils", "0.001")]
        .into_iter()
        .chain([
            ("gumbel-softmax", "0.1"),
            ("gumbel-softmax", "1"),
            ("gumbel-softmax", "10"),
        ]);
    assert_eq!(
        settings,
        expected
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect::<Vec<_>>()
    );
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), 4);
        assert_eq!(row[2], (i % 201).to_string());
        let kl: f64 = row[3].parse().expect("kl is a number");
        assert!(kl.is_finite() && kl >= 0.0, "row {i}: {kl}");
    }
    // Paired: every curve starts from the same KL.
    assert!(rows.iter().step_by(201).all(|r| r[3] == rows[0][3]));

    let png = std::fs::read(out.join("figure.png")).expect("figure.png");
    assert!(
        png.len() > 10_000 && png.starts_with(b"\x89PNG"),
        "{} bytes",
        png.len()
    );
    let svg = std::fs::read_to_string(out.join("figure.svg")).expect("figure.svg");
    assert!(
        svg.contains("<svg") && svg.contains("<polyline"),
        "SVG without curves"
    );
    assert!(svg.contains("ILS, α = 0.01") && svg.contains("Gumbel-Softmax, T = 10"));
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        3,
        "only the three outputs remain: {leftovers:?}"
    );

    let table = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        table
            .lines()
            .filter(|l| l.starts_with("ILS") || l.starts_with("Gumbel"))
            .count(),
        6
    );
}

#[test]
fn run_writes_the_numbers_the_library_computes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().to_str().unwrap();
    let output = ils(&[
        "run",
        "--estimator",
        "ils",
        "--steps",
        "3",
        "--seed",
        "0",
        "--out",
        out,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let kl: Vec<f64> = csv_rows(&dir.path().join("curves.csv"))
        .iter()
        .map(|r| r[3].parse().unwrap())
        .collect();
    // The same bits as the library's pinned values (tests/toy_problem.rs).
    assert_eq!(
        kl,
        [
            0.25029285470636065,
            0.24524310130854046,
            0.23983355128074382,
            0.23461684014711176
        ]
    );
}

#[test]
fn bad_arguments_fail_with_a_message_and_write_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let under_a_file = file.join("results");

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["reproduce", "--steps", "-5", "--out", out],
            "steps must be from 0 to 10000000, got -5",
        ),
        (
            vec![
                "run",
                "--estimator",
                "gumbel-softmax",
                "--temperature",
                "0",
                "--out",
                out,
            ],
            "temperature must be from 0.000001 to 1000000, got 0",
        ),
        (
            vec![
                "run",
                "--estimator",
                "gumbel-softmax",
                "--temperature",
                "NaN",
                "--out",
                out,
            ],
            "temperature must be a finite number, got NaN",
        ),
        (
            vec!["run", "--estimator", "softmax", "--out", out],
            "invalid value 'softmax'",
        ),
        (
            vec!["run", "--estimator", "ils", "--seed", "-1", "--out", out],
            "seed must be from 0 to 9007199254740991, got -1",
        ),
        (
            vec!["run", "--estimator", "ils", "--trials", "2.5", "--out", out],
            "trials must be a whole number, got 2.5",
        ),
        (
            vec![
                "run",
                "--estimator",
                "gumbel-softmax",
                "--temperature",
                "1e308",
                "--out",
                out,
            ],
            "temperature must be from 0.000001 to 1000000, got 1e308",
        ),
        (
            vec![
                "run",
                "--estimator",
                "ils",
                "--categories",
                "1",
                "--out",
                out,
            ],
            "categories must be from 2 to 1000, got 1",
        ),
        (
            vec!["reproduce", "--out", under_a_file.to_str().unwrap()],
            "cannot create output directory",
        ),
    ];
    for (args, message) in cases {
        let output = ils(&args);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            !Path::new(out).exists(),
            "{args:?} created the output directory"
        );
    }
}
