#pragma once
// The Italian calendar of public holidays, and the rule that moves a term ending on one.
//
// National public holidays (L. 260/1949 art. 2, as amended by L. 54/1977, DPR 792/1985 and L. 336/2000):
// 1 January, 6 January, Easter Monday, 25 April, 1 May, 2 June, 15 August, 1 November, 8 December,
// 25 and 26 December; Sundays are holidays too. From 2026, 4 October (Saint Francis of Assisi and Saint
// Catherine of Siena) is a national holiday again (the 2025 law restoring it) *(check)*. Easter is
// computed (Gregorian calendar), not tabled. Local holidays (a municipality's patron saint) are not here.
//
// Terms: a term that ends on a holiday is extended to the next day that is not one (art. 2963 c. 3 c.c.,
// art. 155 c. 4 c.p.c.; applied to administrative procedure terms by analogy *(check)*). Saturday is a
// working day for these terms: art. 155 c. 5 c.p.c. (Saturday) concerns procedural acts in court.
#include <chrono>

#include "core/time.hpp"

namespace sp::time {

// Easter Sunday of year `y` (Gregorian; any year from 1583).
Date easter_sunday(std::chrono::year y);
// One of the national public holidays above (not Sundays as such).
bool is_national_holiday(Date d);
bool is_sunday(Date d);
// Neither a Sunday nor a national public holiday.
bool is_working_day(Date d);
// `d` when it is a working day, else the first working day after it: where a term ending on `d` ends.
Date next_working_day(Date d);

}  // namespace sp::time
