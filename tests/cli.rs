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
    assert_eq!(
        lines.next(),
        Some("estimator,parameter,optimiser,learning_rate,step,kl")
    );
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
        assert_eq!(row.len(), 6);
        assert_eq!(row[2..4], ["sgd", "0.01"], "row {i}: as published");
        assert_eq!(row[4], (i % 201).to_string());
        let kl: f64 = row[5].parse().expect("kl is a number");
        assert!(kl.is_finite() && kl >= 0.0, "row {i}: {kl}");
    }
    // Paired: every curve starts from the same KL.
    assert!(rows.iter().step_by(201).all(|r| r[5] == rows[0][5]));

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
        .map(|r| r[5].parse().unwrap())
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
fn run_trains_the_score_function_estimator() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().to_str().unwrap();
    let output = ils(&[
        "run",
        "--estimator",
        "score-function",
        "--baseline-decay",
        "0.9",
        "--steps",
        "3",
        "--out",
        out,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = csv_rows(&dir.path().join("curves.csv"));
    assert!(
        rows.iter()
            .all(|r| r[0] == "score-function" && r[1] == "0.9")
    );
    let kl: Vec<f64> = rows.iter().map(|r| r[5].parse().unwrap()).collect();
    // The library's pinned values (tests/toy_problem.rs).
    assert_eq!(
        kl,
        [
            0.25029285470636065,
            0.2504226123204337,
            0.24979865699303322,
            0.24963781777121885
        ]
    );
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("Score function (REINFORCE), β = 0.9"),
        "{table}"
    );
}

const SWEEP_HEADER: &str = "estimator,parameter,seed,final_kl,minimum_kl,last_10pct_mean_kl,\
                            threshold,first_step_below_threshold,diverged_at_step";

#[test]
fn sweep_writes_csv_and_figures() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("sweep");
    let output = ils(&[
        "sweep",
        "--estimators",
        "gumbel-softmax,ils,score-function",
        "--temperatures",
        "0.5,2",
        "--step-sizes",
        "1e-3",
        "--baseline-decays",
        "0,0.9",
        "--seeds",
        "0..3",
        "--steps",
        "40",
        "--threshold",
        "0.2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    let text = std::fs::read_to_string(out.join("sweep.csv")).expect("sweep.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(SWEEP_HEADER));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // Five settings (two temperatures, one step size, two decays), three seeds each.
    assert_eq!(rows.len(), 5 * 3);
    let settings: Vec<(&str, &str)> = rows.iter().step_by(3).map(|r| (r[0], r[1])).collect();
    assert_eq!(
        settings,
        [
            ("gumbel-softmax", "0.5"),
            ("gumbel-softmax", "2"),
            ("ils", "0.001"),
            ("score-function", "0"),
            ("score-function", "0.9")
        ]
    );
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), 9, "row {i}: {row:?}");
        assert_eq!(row[2], (i % 3).to_string(), "seeds in order");
        let number = |field: &str| -> f64 { field.parse().expect("a number") };
        let (last, minimum, recent) = (number(row[3]), number(row[4]), number(row[5]));
        assert!(
            minimum <= last && minimum <= recent && recent.is_finite(),
            "row {i}"
        );
        assert_eq!(row[6], "0.2");
        // Either the step at which the KL first fell below 0.2, or empty (then never did).
        if !row[7].is_empty() {
            let step: u64 = row[7].parse().expect("a step");
            assert!(step <= 40 && minimum < 0.2, "row {i}");
        } else {
            assert!(minimum >= 0.2, "row {i}");
        }
        assert_eq!(row[8], "", "row {i} diverged");
    }
    // ILS at 1e-3 crosses 0.2 on every seed within 40 steps (seen: at steps 12, 7 and 15).
    assert!(rows[6..9].iter().all(|r| !r[7].is_empty()));

    let png = std::fs::read(out.join("sweep.png")).expect("sweep.png");
    assert!(png.len() > 10_000 && png.starts_with(b"\x89PNG"));
    let svg = std::fs::read_to_string(out.join("sweep.svg")).expect("sweep.svg");
    assert!(svg.contains("<svg") && svg.contains("<polygon") && svg.contains("<polyline"));
    assert!(svg.contains("Score function (REINFORCE)") && svg.contains("temperature T"));
    let mut names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["sweep.csv", "sweep.png", "sweep.svg"]);
}

/// `ils tune` with its defaults is the search whose tables are shipped: both files come out
/// byte for byte as committed, so the shipped learning rates are reproducible within their grid.
/// About 15 seconds on two cores optimised, ten times that without, hence release builds only.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "minutes unoptimised; `cargo test --release` (scripts/test) runs it"
)]
fn tune_reproduces_the_shipped_tables() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let output = ils(&["tune", "--out", dir.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));

    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/tuned");
    for name in ["best.csv", "tune.csv"] {
        let made = std::fs::read_to_string(dir.path().join(name)).expect("written");
        let kept = std::fs::read_to_string(shipped.join(name)).expect("shipped");
        assert!(made == kept, "{name} differs from assets/tuned/{name}");
    }
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["best.csv", "tune.csv"]);

    // One line per estimator setting and optimiser: 13 settings under 3 optimisers.
    let table = String::from_utf8_lossy(&output.stdout);
    let sgd_rows = table.lines().filter(|l| l.starts_with("sgd ")).count();
    assert_eq!(sgd_rows, 13, "{table}");
    assert!(table.contains("ILS, α = 0.01"), "{table}");
}

/// The tour's captions on the page are what the code measures: `ils tour` prints the shipped
/// `assets/tour.txt` exactly. A few seconds optimised (a million-step run), a minute without.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "a minute unoptimised; `cargo test --release` (scripts/test) runs it"
)]
fn tour_prints_the_shipped_captions() {
    let output = ils(&["tour"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/tour.txt");
    let kept = std::fs::read_to_string(shipped).expect("shipped");
    let made = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        made == kept,
        "assets/tour.txt is stale; remake it with `cargo run --release -- tour > assets/tour.txt`.\n\
         made:\n{made}"
    );
    assert_eq!(made.lines().count(), 7);
}

/// The runs are spread over threads but collected in the grid's order, so one thread and three
/// write the same bits.
#[test]
fn tune_is_the_same_on_any_number_of_threads() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let tune_csv = |threads: &str| -> String {
        let out = dir.path().join(threads);
        let output = Command::new(env!("CARGO_BIN_EXE_ils"))
            .env("RAYON_NUM_THREADS", threads)
            .args(["tune", "--estimator", "ils,gumbel-softmax", "--optimiser"])
            .args(["sgd,adam", "--steps", "300", "--seeds", "2"])
            .args(["--learning-rates", "0.5,0.01,0.1", "--out"])
            .arg(&out)
            .output()
            .expect("the ils binary runs");
        assert!(output.status.success(), "{}", stderr(&output));
        std::fs::read_to_string(out.join("tune.csv")).expect("tune.csv")
    };
    let one = tune_csv("1");
    assert_eq!(one, tune_csv("3"));

    let mut lines = one.lines();
    assert_eq!(
        lines.next(),
        Some("estimator,parameter,optimiser,learning_rate,seeds,steps,area,final_kl,diverged")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // Six settings (three temperatures, three step sizes) under two optimisers at three rates.
    assert_eq!(rows.len(), 6 * 2 * 3);
    let first: Vec<&str> = rows[..3].iter().map(|r| r[3]).collect();
    assert_eq!(first, ["0.01", "0.1", "0.5"], "rates in increasing order");
    assert_eq!(&rows[0][..3], ["gumbel-softmax", "0.1", "sgd"]);
    assert_eq!(&rows[3][..3], ["gumbel-softmax", "0.1", "adam"]);
    for row in &rows {
        assert_eq!(&row[4..6], ["2", "300"]);
        let area: f64 = row[6].parse().expect("a number");
        assert!(
            area.is_finite() && area > 0.0 && row[8] == "false",
            "{row:?}"
        );
    }
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
        (
            vec![
                "run",
                "--estimator",
                "score-function",
                "--baseline-decay",
                "1",
                "--out",
                out,
            ],
            "baseline decay must be from 0 to 0.999, got 1",
        ),
        (
            vec!["sweep", "--temperatures", "1,0", "--out", out],
            "temperature must be from 0.000001 to 1000000, got 0",
        ),
        (
            vec!["sweep", "--step-sizes", "NaN", "--out", out],
            "step size must be a finite number, got NaN",
        ),
        (
            vec![
                "sweep",
                "--estimators",
                "score-function",
                "--baseline-decays",
                "-0.5",
                "--out",
                out,
            ],
            "baseline decay must be from 0 to 0.999, got -0.5",
        ),
        (
            vec!["sweep", "--estimators", "ils,softmax", "--out", out],
            "invalid value 'softmax'",
        ),
        (
            vec!["sweep", "--seeds", "3..3", "--out", out],
            "the range 3..3 holds no seed",
        ),
        (
            vec!["sweep", "--steps", "0", "--out", out],
            "steps must be 1 or more for a sweep, got 0",
        ),
        (
            vec!["sweep", "--threshold", "-1", "--out", out],
            "threshold must be a finite number greater than 0, got -1",
        ),
        (
            vec!["sweep", "--categories", "1", "--out", out],
            "categories must be from 2 to 1000, got 1",
        ),
        (
            vec!["sweep", "--out", under_a_file.to_str().unwrap()],
            "cannot create output directory",
        ),
        (
            vec!["tune", "--steps", "0", "--out", out],
            "steps must be from 1 to 10000000, got 0",
        ),
        (
            vec!["tune", "--seeds", "0", "--out", out],
            "seeds must be from 1 to 1000, got 0",
        ),
        (
            vec!["tune", "--seeds", "1.5", "--out", out],
            "seeds must be a whole number, got 1.5",
        ),
        (
            vec!["tune", "--learning-rates", "0.1,5000", "--out", out],
            "learning rate must be from 1e-9 to 1000, got 5000",
        ),
        (
            vec!["tune", "--learning-rates", "NaN", "--out", out],
            "learning rate must be a finite number, got NaN",
        ),
        (
            vec!["tune", "--learning-rates", "-0.01", "--out", out],
            "learning rate must be from 1e-9 to 1000, got -0.01",
        ),
        (
            vec!["tune", "--estimator", "softmax", "--out", out],
            "invalid value 'softmax'",
        ),
        (
            vec!["tune", "--optimiser", "rmsprop", "--out", out],
            "invalid value 'rmsprop'",
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

#[test]
fn the_optimiser_is_chosen_on_the_command_line() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let kl_after = |optimiser: &str| -> f64 {
        let out = dir.path().join(optimiser);
        let output = ils(&[
            "run",
            "--estimator",
            "ils",
            "--steps",
            "5",
            "--optimiser",
            optimiser,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        let rows = csv_rows(&out.join("curves.csv"));
        rows.last().expect("rows")[5].parse().expect("a number")
    };
    // The published SGD is the default, to the bit; the others move differently.
    assert_eq!(kl_after("sgd"), 0.22506724284493035);
    assert_ne!(kl_after("adam"), kl_after("sgd"));
    assert_ne!(kl_after("normalised-sgd"), kl_after("sgd"));
    let output = ils(&["run", "--estimator", "ils", "--optimiser", "rmsprop"]);
    assert!(stderr(&output).contains("invalid value 'rmsprop'"));
}
