"""A region's workforce as a CSV file for POST /v1/professionals/import:
workforce.py COUNT PREFIX [SEED] prints COUNT professionals (e-mails
PREFIX.N@example.org) of every discipline, in two to four Norfolk postcode
districts each, speaking English and a fifth of them another language,
with maxima from 8 to 20 cases, working hours and, for two in three, a
deputy among their colleagues. Fixed by SEED (default 1)."""

import random
import sys

DISCIPLINES = ["social_worker", "occupational_therapist", "speech_and_language_therapist", "physiotherapist",
               "special_educator", "teacher", "family_support_worker", "behaviour_specialist", "ld_nurse",
               "mh_nurse", "community_nurse", "psychologist", "paediatrician", "youth_worker"]
AGENCIES = ["Norfolk Community Health", "Children's Services", "Riverside School", "CAMHS", "Early Help",
            "Learning Disability Team", "Family Support Charity", "Acute Paediatrics"]
LANGUAGES = ["pl", "ur", "ro", "lt", "pt", "bn", "ar"]
HOURS = ["mon 09:00-17:00; tue 09:00-17:00; wed 09:00-17:00; thu 09:00-17:00; fri 09:00-16:30",
         "mon 08:30-16:30; tue 08:30-16:30; wed 08:30-12:30; thu 08:30-16:30",
         "tue 10:00-18:00; wed 10:00-18:00; thu 10:00-18:00; fri 10:00-18:00; sat 09:00-13:00"]


def main():
    count, prefix = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    out = ["name,agency,discipline,email,phone,languages,localities,max_caseload,deputy_email,working_hours"]
    for i in range(count):
        home = rng.randint(1, 35)
        districts = sorted({"NR%d" % max(1, min(35, home + rng.randint(-2, 2))) for _ in range(rng.randint(2, 4))})
        langs = "en" + (" " + rng.choice(LANGUAGES) if rng.random() < 0.2 else "")
        deputy = "%s.%d@example.org" % (prefix, (i + rng.randint(1, 9)) % count) if rng.random() < 0.67 else ""
        out.append("Worker %d,%s,%s,%s.%d@example.org,01603 %06d,%s,%s,%d,%s,\"%s\"" % (
            i, rng.choice(AGENCIES), rng.choice(DISCIPLINES), prefix, i, rng.randrange(10 ** 6), langs,
            " ".join(districts), rng.randint(8, 20), deputy if deputy != "%s.%d@example.org" % (prefix, i) else "",
            rng.choice(HOURS)))
    sys.stdout.write("\n".join(out) + "\n")


main()
