//! The generator job: the university as SQL, CSV and zip, with chart figures.
