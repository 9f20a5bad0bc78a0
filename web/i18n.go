package web

import (
	"fmt"
	"net/http"
	"slices"

	"golang.org/x/text/language"
)

// languages the UI and public pages speak; the first is the fallback.
var languages = []string{"it", "en"}

var matcher = language.NewMatcher([]language.Tag{language.Italian, language.English})

// langFor picks the language of a staff page: the user's setting, else the
// browser's Accept-Language, else the organization's default.
func (s *Server) langFor(r *http.Request) string {
	if u, ok := currentUser(r); ok && slices.Contains(languages, u.Language) {
		return u.Language
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, i, conf := matcher.Match(tags...)
			if conf != language.No {
				return languages[i]
			}
		}
	}
	return s.defaultLang()
}

func (s *Server) defaultLang() string {
	if slices.Contains(languages, s.org.DefaultLanguage) {
		return s.org.DefaultLanguage
	}
	return languages[0]
}

// translate returns key in lang (keys are the English text), formatted with
// args when given.
func translate(lang, key string, args ...any) string {
	if lang == "it" {
		if t, ok := italian[key]; ok {
			key = t
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(key, args...)
	}
	return key
}
