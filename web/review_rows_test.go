package web

import (
	"strings"
	"testing"

	"github.com/basis-crm/basis/crm"
)

func TestQueueHTMLEscapesEveryValue(t *testing.T) {
	evil := `"><script>x</script>'&`
	rows := queueHTML([]reviewRow{{ID: 7, Name: evil, Email: evil, Company: evil, Subject: evil, Preview: evil, When: evil}}, true, evil)
	got := string(rows[0])
	if strings.Contains(got, "<script>") || strings.Contains(got, `"><script`) || strings.Count(got, "&#34;&gt;&lt;script&gt;x&lt;/script&gt;&#39;&amp;") != 7 {
		t.Errorf("row not escaped:\n%s", got)
	}
	if !strings.Contains(got, `data-href="/contacts/7"`) || !strings.Contains(got, `value="7"`) {
		t.Errorf("row lacks its links:\n%s", got)
	}
	if got := string(queueHTML([]reviewRow{{ID: 1, Email: "a@b.it"}}, false, "Select")[0]); strings.Contains(got, "checkbox") ||
		!strings.Contains(got, `<a href="/contacts/1">a@b.it</a>`) {
		t.Errorf("read-only row wrong:\n%s", got)
	}
}

func TestSearchRowsEscapeEveryValue(t *testing.T) {
	evil := `"><script>x</script>'&`
	got := string(searchRows([]crm.ContactHit{{ID: 7, Name: evil, Email: evil, Company: evil, Status: evil}}, "en")[0])
	if strings.Contains(got, "<script>") || strings.Count(got, "&#34;&gt;&lt;script&gt;x&lt;/script&gt;&#39;&amp;") != 4 ||
		!strings.Contains(got, `<a href="/contacts/7">`) {
		t.Errorf("row not escaped:\n%s", got)
	}
}
