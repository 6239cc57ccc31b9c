var s=document.createElement('script');s.src='/js/stage2.js';document.getElementsByTagName('head')[0].appendChild(s);
