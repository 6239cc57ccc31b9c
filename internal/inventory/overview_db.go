package inventory

import (
	"context"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/storage"
)

// Overview is what the caller's part of the province holds, for the home page.
type Overview struct {
	Orgs    int `json:"orgs"`
	Systems int `json:"systems"`
	// ByLevel counts systems in use by security level; index 0 is "not yet classified".
	ByLevel      [6]int `json:"by_level"`
	PersonalData int    `json:"personal_data"`
	PopulationDB int    `json:"population_db"`
	Assets       int    `json:"assets"`
	Staff        int    `json:"staff"`
}

// GetOverview counts the organisations, systems (neither retired nor archived), assets and staff
// in the actor's scope.
func GetOverview(ctx context.Context, db storage.Querier, actor access.Actor) (Overview, error) {
	var ov Overview
	scope, args := actor.OrgFilter("o.path")
	rows, err := db.Query(ctx, `SELECT s.level, count(*),
			sum(CASE WHEN s.personal_data THEN 1 ELSE 0 END), sum(CASE WHEN s.population_db THEN 1 ELSE 0 END)
		FROM systems s JOIN orgs o ON o.id = s.org_id
		WHERE `+scope+` AND s.status <> 'retired' AND s.archived_at IS NULL GROUP BY s.level`, args...)
	if err != nil {
		return ov, fmt.Errorf("overview of systems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var level, n, personal, population int
		if err := rows.Scan(&level, &n, &personal, &population); err != nil {
			return ov, fmt.Errorf("overview of systems: %w", err)
		}
		if level >= 0 && level < len(ov.ByLevel) {
			ov.ByLevel[level] += n
		}
		ov.Systems += n
		ov.PersonalData += personal
		ov.PopulationDB += population
	}
	if err := rows.Err(); err != nil {
		return ov, fmt.Errorf("overview of systems: %w", err)
	}
	for _, c := range []struct {
		into  *int
		query string
	}{
		{&ov.Orgs, "SELECT count(*) FROM orgs o WHERE " + scope + " AND o.archived_at IS NULL"},
		{&ov.Assets, "SELECT count(*) FROM assets a JOIN orgs o ON o.id = a.org_id WHERE " + scope},
		{&ov.Staff, "SELECT count(*) FROM staff p JOIN orgs o ON o.id = p.org_id WHERE " + scope},
	} {
		if err := db.QueryRow(ctx, c.query, args...).Scan(c.into); err != nil {
			return ov, fmt.Errorf("overview: %w", err)
		}
	}
	return ov, nil
}
