/*  ruleset: the rule set of a region as the API shows it
    (GET /v1/eligibility/ruleset): the rule tree as configured, the
    criteria decisions report (with their parts), and the region's
    settings. */
#include <string.h>
#include "kw/eligibility.pb-c.h"
#include "eligibility.h"

static Kw__Rule *
s_rule (const rule_t *rule, kw_arena_t *arena)
{
    Kw__Rule *out = kw_arena_alloc (arena, sizeof *out);
    kw__rule__init (out);
    out->id = rule->id;
    out->description = rule->description;
    out->kind = (char *) region_rule_kind_name (rule->kind);
    out->n_rules = rule->child_count;
    out->rules = kw_arena_calloc (arena, (rule->child_count ? rule->child_count : 1) * sizeof (Kw__Rule *));
    for (size_t i = 0; i < rule->child_count; i++)
        out->rules [i] = s_rule (rule->children [i], arena);
    switch (rule->kind) {
        case RULE_AGE_UNDER:
            out->has_years = 1;
            out->years = rule->years;
            if (rule->extended_years) {
                out->has_extended_years = 1;
                out->extended_years = rule->extended_years;
                out->extended_when = (char *) region_flag_path (rule->extended_when);
            }
            break;
        case RULE_FLAG:
            out->field = (char *) region_flag_path (rule->field);
            break;
        case RULE_PROFESSIONALS:
            out->has_at_least = out->has_agencies_at_least = 1;
            out->at_least = rule->at_least;
            out->agencies_at_least = rule->agencies_at_least;
            break;
        case RULE_DSR_RATING:
            out->ratings = rule->ratings;
            out->n_ratings = rule->rating_count;
            break;
        default:
            break;
    }
    return out;
}

//  The criterion a decision reports for rule, with its parts.
static Kw__Criterion *
s_criterion (const rule_t *rule, kw_arena_t *arena)
{
    Kw__Criterion *c = kw_arena_alloc (arena, sizeof *c);
    kw__criterion__init (c);
    c->id = rule->id;
    c->description = rule->description;
    c->n_parts = rule->child_count;
    c->parts = kw_arena_calloc (arena, (rule->child_count ? rule->child_count : 1) * sizeof (Kw__Criterion *));
    for (size_t i = 0; i < rule->child_count; i++)
        c->parts [i] = s_criterion (rule->children [i], arena);
    return c;
}

void
ruleset_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__RulesetRequest *in = (Kw__RulesetRequest *) kw_rpc_unpack (
        req, resp, arena, &kw__ruleset_request__descriptor);
    if (!in)
        return;
    const char *name = in->region && *in->region ? in->region
                     : req->caller ? req->caller->region : NULL;
    if (!name || !*name) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "region", "no region given");
        return;
    }
    //  Another region's rule set is for admins only.
    if (req->caller && req->caller->region && strcmp (name, req->caller->region) != 0
    &&  !(req->caller->role && strcmp (req->caller->role, "admin") == 0)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, "region",
                            "only admins may read another region's rule set");
        return;
    }
    const region_t *region = region_set_find (state_regions (svc), name);
    if (!region) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "region",
                            "unknown region %.64s", name);
        return;
    }
    const rule_t *root = region->ruleset.rule;
    Kw__Ruleset out = KW__RULESET__INIT;
    out.region = region->id;
    out.region_name = region->name;
    out.name = region->ruleset.id;
    out.has_version = 1;
    out.version = region->ruleset.version;
    out.description = *region->ruleset.description ? region->ruleset.description : NULL;
    out.time_zone = region->time_zone;
    out.rule = s_rule (root, arena);
    //  Decisions report the root's rules when it is an all rule, else the root.
    if (root->kind == RULE_ALL) {
        out.n_criteria = root->child_count;
        out.criteria = kw_arena_calloc (arena, root->child_count * sizeof (Kw__Criterion *));
        for (size_t i = 0; i < root->child_count; i++)
            out.criteria [i] = s_criterion (root->children [i], arena);
    }
    else {
        out.n_criteria = 1;
        out.criteria = kw_arena_calloc (arena, sizeof (Kw__Criterion *));
        out.criteria [0] = s_criterion (root, arena);
    }
    out.gp_prefixes = region->gp_prefixes;
    out.n_gp_prefixes = region->gp_prefix_count;
    out.postcode_districts = region->postcode_districts;
    out.n_postcode_districts = region->postcode_district_count;
    Kw__UpperAge *upper = kw_arena_alloc (arena, sizeof *upper);
    kw__upper_age__init (upper);
    upper->has_years = 1;
    upper->years = region->upper_age;
    if (region->upper_age_extended) {
        upper->has_extended_years = 1;
        upper->extended_years = region->upper_age_extended;
        upper->extended_when = (char *) region_flag_path (region->upper_age_extended_when);
    }
    out.upper_age = upper;
    out.has_transition_notice_days = out.has_review_interval_days = 1;
    out.transition_notice_days = region->transition_notice_days;
    out.review_interval_days = region->review_interval_days;
    kw_rpc_reply_ok (resp, arena, &out.base);
}
