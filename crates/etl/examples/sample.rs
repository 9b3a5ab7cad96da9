//! Writes a generated sample set: `cargo run -p campus_etl --example sample -- DIR [SEED] [dirty] [COLLEGES STUDENTS SESSIONS]`.

use campus_etl::sample::{SampleFiles, SampleOptions, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .ok_or("usage: sample DIR [SEED] [dirty|clean] [COLLEGES STUDENTS SESSIONS]")?;
    let mut options = SampleOptions::default();
    if let Some(seed) = args.get(1) {
        options.seed = seed.parse()?;
    }
    options.dirty = args.get(2).is_some_and(|a| a == "dirty");
    if let (Some(c), Some(s), Some(n)) = (args.get(3), args.get(4), args.get(5)) {
        options.n_colleges = c.parse()?;
        options.students_per_program = s.parse()?;
        options.sessions_per_course = n.parse()?;
    }
    std::fs::create_dir_all(dir)?;
    let files = generate(&options);
    for (name, bytes) in files.files() {
        std::fs::write(std::path::Path::new(dir).join(name), bytes)?;
    }
    let _ = SampleFiles::NAMES;
    Ok(())
}
