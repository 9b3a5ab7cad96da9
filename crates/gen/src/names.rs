//! Embedded word lists: people's names from several cultures, academic structure, campus places.
//!
//! Lists are data, not code: every list is non-empty, and anything that needs more entries than a
//! list has derives numbered variants instead of repeating a value.

/// A naming culture: given names by gender and family names.
pub struct Culture {
    pub female: &'static [&'static str],
    pub male: &'static [&'static str],
    pub family: &'static [&'static str],
}

pub static CULTURES: &[Culture] = &[
    // Nguni and Sotho (South Africa).
    Culture {
        female: &[
            "Thandeka",
            "Nomvula",
            "Lerato",
            "Zanele",
            "Palesa",
            "Ayanda",
            "Naledi",
            "Nokuthula",
            "Busisiwe",
            "Refilwe",
        ],
        male: &[
            "Thabo", "Sipho", "Mandla", "Themba", "Kagiso", "Lwazi", "Bongani", "Tshepo",
            "Sibusiso", "Kabelo",
        ],
        family: &[
            "Nkosi", "Dlamini", "Ndlovu", "Mokoena", "Khumalo", "Mthembu", "Mahlangu", "Zulu",
            "Molefe", "Sithole", "Nxumalo", "Mabaso",
        ],
    },
    // Afrikaans and Dutch.
    Culture {
        female: &[
            "Annelie",
            "Marié",
            "Elize",
            "Riana",
            "Chantelle",
            "Liezl",
            "Anika",
            "Mariska",
        ],
        male: &[
            "Pieter", "Johan", "Willem", "Francois", "Jaco", "Hendrik", "Ruan", "Stefan",
        ],
        family: &[
            "van der Merwe",
            "Botha",
            "du Plessis",
            "Pretorius",
            "Venter",
            "Nel",
            "Coetzee",
            "van Wyk",
            "le Roux",
            "Steyn",
        ],
    },
    // English and Irish.
    Culture {
        female: &[
            "Emily",
            "Charlotte",
            "Olivia",
            "Grace",
            "Siobhán",
            "Hannah",
            "Chloé",
            "Zoë",
        ],
        male: &[
            "James", "Oliver", "Thomas", "Liam", "Seán", "Harry", "William", "Conor",
        ],
        family: &[
            "Smith", "O'Brien", "Taylor", "O'Connor", "Williams", "Murphy", "Brown", "McCarthy",
            "Walsh", "Davies",
        ],
    },
    // Indian.
    Culture {
        female: &[
            "Priya", "Ananya", "Kavya", "Divya", "Meera", "Aisha", "Shreya", "Nisha",
        ],
        male: &[
            "Arjun", "Rahul", "Vikram", "Rohan", "Aditya", "Karthik", "Sanjay", "Pranav",
        ],
        family: &[
            "Naidoo", "Pillay", "Govender", "Patel", "Singh", "Reddy", "D'Souza", "Iyer", "Chetty",
            "Moodley",
        ],
    },
    // Chinese and Vietnamese.
    Culture {
        female: &[
            "Mei", "Xiu Ying", "Li Na", "Hui", "Thảo", "Lan", "Yan", "Linh",
        ],
        male: &["Wei", "Jun", "Hao", "Ming", "Tuấn", "Minh", "Jian", "Bao"],
        family: &[
            "Wang", "Li", "Zhang", "Chen", "Nguyễn", "Trần", "Liu", "Huang", "Lê", "Zhao",
        ],
    },
    // Portuguese and Spanish.
    Culture {
        female: &[
            "Ana", "Inês", "María", "Sofía", "Beatriz", "Lucía", "Mariana", "Carolina",
        ],
        male: &[
            "João", "José", "Miguel", "Tiago", "Diego", "Andrés", "Rafael", "Álvaro",
        ],
        family: &[
            "da Silva",
            "Ferreira",
            "González",
            "Rodrigues",
            "Fernández",
            "Pereira",
            "Martínez",
            "Gonçalves",
            "López",
            "Sousa",
        ],
    },
    // Arabic.
    Culture {
        female: &[
            "Fatima", "Aaliyah", "Layla", "Yasmin", "Noor", "Mariam", "Huda", "Salma",
        ],
        male: &[
            "Omar", "Yusuf", "Ahmed", "Khalid", "Hassan", "Ibrahim", "Tariq", "Karim",
        ],
        family: &[
            "Al-Sayed", "Haddad", "Mansour", "Khalil", "Abdullah", "Nasser", "Farouk", "Rahman",
            "Hamdan", "Aziz",
        ],
    },
    // Yoruba, Igbo and Swahili.
    Culture {
        female: &[
            "Adaeze", "Chiamaka", "Folake", "Amara", "Wanjiru", "Zawadi", "Ngozi", "Imani",
        ],
        male: &[
            "Chinedu",
            "Oluwaseun",
            "Emeka",
            "Tunde",
            "Baraka",
            "Juma",
            "Obinna",
            "Kamau",
        ],
        family: &[
            "Okafor", "Adeyemi", "Okonkwo", "Balogun", "Mwangi", "Otieno", "Eze", "Nwosu",
            "Odhiambo", "Adebayo",
        ],
    },
];

pub static LEVELS: &[&str] = &[
    "First Year",
    "Second Year",
    "Third Year",
    "Fourth Year",
    "Honours",
    "Masters",
];

pub static QUALIFICATIONS: &[&str] = &[
    "Higher Certificate",
    "Diploma",
    "Advanced Diploma",
    "Bachelor's Degree",
    "Honours Degree",
    "Master's Degree",
    "Postgraduate Diploma",
    "Doctoral Degree",
];

/// Departments with the subjects their courses teach.
pub static DEPARTMENTS: &[(&str, &[&str])] = &[
    (
        "Computer Science",
        &[
            "Information Technology",
            "Software Engineering",
            "Data Science",
            "Computer Science",
            "Cybersecurity",
            "Information Systems",
            "Artificial Intelligence",
            "Networking",
            "Game Development",
        ],
    ),
    (
        "Engineering",
        &[
            "Civil Engineering",
            "Electrical Engineering",
            "Mechanical Engineering",
            "Chemical Engineering",
            "Mechatronics",
            "Industrial Engineering",
            "Mining Engineering",
            "Construction Management",
            "Renewable Energy",
        ],
    ),
    (
        "Business Management",
        &[
            "Accounting",
            "Marketing",
            "Human Resource Management",
            "Logistics",
            "Financial Management",
            "Entrepreneurship",
            "Public Management",
            "Tourism Management",
            "Retail Business",
        ],
    ),
    (
        "Health Sciences",
        &[
            "Nursing Science",
            "Pharmacy",
            "Medical Laboratory Science",
            "Radiography",
            "Dietetics",
            "Physiotherapy",
            "Emergency Medical Care",
            "Public Health",
            "Environmental Health",
        ],
    ),
    (
        "Education",
        &[
            "Foundation Phase Teaching",
            "Intermediate Phase Teaching",
            "Senior Phase Teaching",
            "Mathematics Education",
            "Language Education",
            "Educational Psychology",
            "Adult Education",
            "Early Childhood Development",
            "Inclusive Education",
        ],
    ),
    (
        "Humanities and Social Sciences",
        &[
            "Psychology",
            "Sociology",
            "Political Science",
            "Journalism",
            "Linguistics",
            "History",
            "Social Work",
            "Criminology",
            "Philosophy",
        ],
    ),
    (
        "Natural Sciences",
        &[
            "Biochemistry",
            "Physics",
            "Mathematics",
            "Geology",
            "Microbiology",
            "Statistics",
            "Botany",
            "Zoology",
            "Chemistry",
        ],
    ),
    (
        "Law",
        &[
            "Criminal Law",
            "Commercial Law",
            "Constitutional Law",
            "Labour Law",
            "International Law",
            "Environmental Law",
            "Tax Law",
            "Property Law",
            "Family Law",
        ],
    ),
];

pub static MODULE_TOPICS: &[&str] = &[
    "Foundations",
    "Principles",
    "Methods",
    "Practice",
    "Theory",
    "Applications",
    "Research Project",
    "Professional Skills",
];

/// Roles of staff members, in `staff_roles` order; the first is the lecturer role.
pub static STAFF_ROLES: &[&str] = &[
    "Lecturer",
    "Technician",
    "Administrator",
    "Security Officer",
    "Driver",
];

/// Application roles for the `roles` table.
pub static APP_ROLES: &[&str] = &["Admin", "Lecturer", "Student"];

pub static RESIDENCES: &[&str] = &[
    "Nelson Mandela Hall",
    "Protea House",
    "Jacaranda Residence",
    "Baobab Court",
    "Ubuntu Village",
    "Aloe Residence",
    "Marula Lodge",
    "Fynbos House",
    "Umthombo Hall",
    "Riverside Hall",
    "Kingsway Hall",
    "Sunbird Residence",
];

pub static SHUTTLE_POINTS: &[(&str, &str)] = &[
    ("Main Gate", "Main Gate, University Road (north entrance)"),
    (
        "Library Square",
        "Outside the Central Library, Academic Avenue",
    ),
    ("Engineering Block", "Engineering Building C, Science Drive"),
    ("Student Centre", "Student Centre bus bay, Campus Square"),
    ("Sports Complex", "Sports Complex parking lot, Stadium Road"),
    (
        "Health Sciences Campus",
        "Health Sciences Campus, Hospital Street",
    ),
    (
        "Nelson Mandela Hall",
        "Residence precinct, Nelson Mandela Hall entrance",
    ),
    (
        "Jacaranda Residence",
        "Jacaranda Residence, 14 Jacaranda Street",
    ),
    ("City Station", "Park Station Bus Terminal, Rissik Street"),
    ("Taxi Rank", "Noord Street Taxi Rank, bay 12"),
    ("Mall Stop", "Campus Mall, Kingsway Avenue entrance"),
    (
        "Satellite Campus",
        "Satellite Campus admin block, Commerce Road",
    ),
];

/// Statuses an application can be in, with weights, for applicants who did not (yet) enrol.
pub static APPLICATION_STATUSES: &[(&str, u32)] = &[
    ("Submitted", 25),
    ("Under Review", 25),
    ("Accepted", 15),
    ("Waitlisted", 15),
    ("Rejected", 20),
];

/// Folds a name to lowercase ASCII for an e-mail address: accents dropped, spaces and apostrophes removed.
pub fn email_part(name: &str, out: &mut impl std::fmt::Write) {
    for c in name.chars() {
        let folded = match c {
            'a'..='z' | '0'..='9' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'Á' | 'À' | 'ả' | 'ạ' | 'ấ' | 'ầ' | 'ậ' => {
                'a'
            }
            'ç' | 'Ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'É' | 'ễ' | 'ệ' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Í' => 'i',
            'ñ' | 'Ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ó' | 'ơ' | 'ồ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Ú' | 'ư' => 'u',
            'ý' | 'ÿ' => 'y',
            'Đ' | 'đ' => 'd',
            _ => continue,
        };
        let _ = out.write_char(folded);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_plain_ascii() {
        let mut out = String::new();
        for name in [
            "Nguyễn",
            "O'Brien",
            "van der Merwe",
            "Thảo",
            "Álvaro",
            "Siobhán",
            "Trần",
            "Tuấn",
        ] {
            out.clear();
            email_part(name, &mut out);
            assert!(
                !out.is_empty() && out.bytes().all(|b| b.is_ascii_lowercase()),
                "{name} -> {out}"
            );
        }
    }

    #[test]
    fn lists_have_room_for_the_defaults() {
        assert!(DEPARTMENTS.iter().all(|(_, subjects)| subjects.len() >= 7));
        assert!(
            CULTURES
                .iter()
                .all(|c| !c.female.is_empty() && !c.male.is_empty() && !c.family.is_empty())
        );
    }
}
