package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/basis-crm/basis/schema"
)

func init() {
	register("migrate", "", func(ctx context.Context, env *cli, args []string) error {
		if _, err := parseInterspersed(newFlags("migrate"), args); err != nil {
			return err
		}
		a, err := env.open(ctx, anySchema, slog.LevelWarn)
		if err != nil {
			return err
		}
		defer a.Close()
		applied, err := schema.Migrate(ctx, a.db.DB)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "migrated: %d migrations applied\n", len(applied))
		return nil
	})
}
